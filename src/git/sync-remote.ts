import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commonGitDir } from './common-dir.js';
import { gitAnswer } from './run.js';

/**
 * The URL of the remote this clone syncs with: the remote its main line tracks (origin's default
 * branch, else `main`, else `master`: a fork's clone whose `main` tracks the team's `upstream`),
 * else `origin`; '' without either. Never the checked-out branch: a rebase, a bisect or a feature
 * branch pushed to a fork must not change which repository the clone is. One git call and two
 * file reads, light enough for the hooks' fast path.
 */
export async function syncRemoteUrl(top: string, gitDir: string): Promise<string> {
  const [originHead, config] = await Promise.all([
    commonGitDir(gitDir).then((common) => readFile(path.join(common, 'refs', 'remotes', 'origin', 'HEAD'), 'utf8').catch(() => '')),
    gitAnswer(top, ['config', '-z', '--get-regexp', '^(remote\\..+\\.url|branch\\..+\\.remote)$']),
  ]);
  const values = new Map<string, string>();
  for (const entry of config.stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    // The first value a key has is the one git uses for a URL.
    if (newline > 0 && !values.has(entry.slice(0, newline))) values.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  const originDefault = /^ref: refs\/remotes\/origin\/(.+)$/.exec(originHead.trim())?.[1];
  for (const branch of [originDefault, 'main', 'master']) {
    const remote = branch && values.get(`branch.${branch}.remote`);
    const url = remote && values.get(`remote.${remote}.url`);
    if (url) return url;
  }
  return values.get('remote.origin.url') ?? '';
}
