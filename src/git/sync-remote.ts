import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitAnswer } from './run.js';

/**
 * The URL of the remote this clone syncs with: the remote of the checked-out branch's upstream
 * (a fork's clone whose branch tracks the team's `upstream`), else `origin`; '' without either.
 * One git call and a read of HEAD, light enough for the hooks' fast path.
 */
export async function syncRemoteUrl(top: string, gitDir: string): Promise<string> {
  const [head, config] = await Promise.all([
    readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => ''),
    gitAnswer(top, ['config', '-z', '--get-regexp', '^(remote\\..+\\.url|branch\\..+\\.remote)$']),
  ]);
  const values = new Map<string, string>();
  for (const entry of config.stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    // The first value a key has is the one git uses for a URL.
    if (newline > 0 && !values.has(entry.slice(0, newline))) values.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  const branch = /^ref: refs\/heads\/(.+)$/.exec(head.trim())?.[1];
  const remote = branch === undefined ? undefined : values.get(`branch.${branch}.remote`);
  return (remote && values.get(`remote.${remote}.url`)) ?? values.get('remote.origin.url') ?? '';
}
