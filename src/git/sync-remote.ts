import { gitAnswer } from './run.js';

/**
 * The URL of the remote this clone syncs with, '' without one: the remote its main line tracks
 * (the branch a remote's HEAD names, else `main`, else `master`: a fork's clone whose main branch
 * tracks the team's `upstream`), else the only remote there is, else `origin`. Never the
 * checked-out branch's: a rebase, a bisect or a feature branch pushed to a fork must not change
 * which repository the clone is. Two git calls side by side, light enough for the hooks' fast path.
 */
export async function syncRemoteUrl(top: string): Promise<string> {
  const [heads, config] = await Promise.all([
    gitAnswer(top, ['for-each-ref', '--format=%(symref:lstrip=3)', 'refs/remotes/*/HEAD']),
    gitAnswer(top, ['config', '-z', '--get-regexp', '^(remote\\..+\\.url|branch\\..+\\.remote)$']),
  ]);
  const values = new Map<string, string>();
  for (const entry of config.stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    // The first value a key has is the one git uses for a URL.
    if (newline > 0 && !values.has(entry.slice(0, newline))) values.set(entry.slice(0, newline), entry.slice(newline + 1));
  }
  const defaults = heads.stdout.split('\n').filter(Boolean);
  for (const branch of [...defaults, 'main', 'master']) {
    const remote = values.get(`branch.${branch}.remote`);
    const url = remote && values.get(`remote.${remote}.url`);
    if (url) return url;
  }
  const urls = [...values].filter(([key]) => key.startsWith('remote.') && key.endsWith('.url'));
  return urls.length === 1 ? urls[0]![1] : (values.get('remote.origin.url') ?? '');
}
