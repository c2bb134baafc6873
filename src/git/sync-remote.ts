import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commonGitDir } from './common-dir.js';
import { gitAnswer } from './run.js';

/**
 * The URL of the remote this clone syncs with, '' without one: the remote its main line tracks
 * (the branch a remote's HEAD names, else `main`, else `master`: a fork's clone whose main branch
 * tracks the team's `upstream`), else the only remote there is, else `origin`. Never the
 * checked-out branch's: a rebase, a bisect or a feature branch pushed to a fork must not change
 * which repository the clone is. One git call and a few small file reads (a remote's HEAD is a
 * symbolic ref, never packed; where refs are not files, the names after it still answer): light
 * enough for the hooks' fast path, which runs it on every pull.
 */
export async function syncRemoteUrl(top: string, gitDir: string): Promise<string> {
  const [common, config] = await Promise.all([
    commonGitDir(gitDir),
    gitAnswer(top, ['config', '-z', '--get-regexp', '^(remote\\..+\\.url|branch\\..+\\.remote)$']),
  ]);
  const values = new Map<string, string>();
  for (const entry of config.stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    // The first value a key has is the one git uses for a URL.
    if (newline > 0 && !values.has(entry.slice(0, newline))) values.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  const remotes = [...values].flatMap(([key]) => (/^remote\..+\.url$/.test(key) ? [key.slice('remote.'.length, -'.url'.length)] : []));
  const heads = await Promise.all(
    remotes.map((remote) =>
      readFile(path.join(common, 'refs', 'remotes', remote, 'HEAD'), 'utf8').then(
        (text) => {
          const prefix = `ref: refs/remotes/${remote}/`;
          return text.startsWith(prefix) ? text.slice(prefix.length).trim() : undefined;
        },
        () => undefined,
      ),
    ),
  );
  for (const branch of [...heads, 'main', 'master']) {
    const remote = branch && values.get(`branch.${branch}.remote`);
    const url = remote && values.get(`remote.${remote}.url`);
    if (url) return url;
  }
  return remotes.length === 1 ? values.get(`remote.${remotes[0]}.url`)! : (values.get('remote.origin.url') ?? '');
}
