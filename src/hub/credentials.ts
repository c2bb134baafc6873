import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { hubKey } from './location.js';

/**
 * Each user's hub tokens, kept out of the repo: `$XDG_CONFIG_HOME/custodian-hooks/credentials`
 * (else `~/.config/...`), one `<hub URL> <token>` a line, `#` for comments. A token is a
 * password: a file others may read is refused rather than used.
 */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'custodian-hooks', 'credentials');
}

/** The token for `hub`: `CUSTODIAN_HUB_TOKEN`, else the credentials file's line for that URL. */
export function hubToken(hub: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CUSTODIAN_HUB_TOKEN) return env.CUSTODIAN_HUB_TOKEN;
  const file = credentialsFile(env);
  let text: string;
  try {
    const stat = statSync(file);
    // Said as what it is: a folder's mode bits were read as a file's, and the remedy was chmod 600.
    if (!stat.isFile()) throw new UserError(`${file}: not a file; the hub tokens go in a file there, one '<hub URL> <token>' a line`);
    // Windows has no mode bits to speak of: there the file's folder is what protects it.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new UserError(`${file}: others may read this file of hub tokens; make it yours alone (chmod 600 ${file})`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: cannot read: ${(error as Error).message}`);
  }
  const wanted = hubKey(hub);
  for (const line of text.split('\n')) {
    const [url, token] = line.trim().split(/\s+/);
    if (url && token && !url.startsWith('#') && hubKey(url) === wanted) return token;
  }
  return undefined;
}
