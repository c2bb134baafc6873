import { readTextOrNull } from '../read-if-exists.js';
import path from 'node:path';

/**
 * The arguments of the nearest git process above this one, where the system shows them (Linux's
 * /proc), else null. Some of what git runs a merge with reaches a merge driver no other way: the
 * commit a one-commit cherry-pick picks, a `-X ours` or `-X theirs`.
 */
export function gitCommandLine(depth = 4): string[] | null {
  let pid = process.ppid;
  for (let i = 0; i < depth && pid > 1; i++) {
    const cmdline = readTextOrNull(`/proc/${pid}/cmdline`);
    const stat = readTextOrNull(`/proc/${pid}/stat`);
    if (cmdline === null || stat === null) return null;
    const argv = cmdline.split('\0').filter((a) => a !== '');
    if (/(^|\/)git$/.test(argv[0] ?? '')) return argv;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return null;
}

/** Options of git and of its merging commands whose value is the next argument: never read as an option themselves. */
const TAKES_VALUE = new Set(['-C', '-c', '-m', '-F', '-s', '--message', '--file', '--strategy', '--git-dir', '--work-tree', '--onto', '-x', '--exec']);

/**
 * The side `-X ours` / `-X theirs` (or `--strategy-option`) asks conflicts to take: from git's
 * command line, or, after `rebase --continue` or `cherry-pick --continue`, from the options git
 * kept for the rest of the run (`rebase-merge/strategy_opts`, `sequencer/opts`).
 */
export function strategyFavor(argv: readonly string[] | null, kept: string | null): 'ours' | 'theirs' | null {
  let favor: 'ours' | 'theirs' | null = null;
  for (let at = 0; argv && at < argv.length; at++) {
    const arg = argv[at]!;
    const value = arg === '-X' || arg === '--strategy-option' ? argv[++at] : /^(?:-X|--strategy-option=)(.*)$/.exec(arg)?.[1];
    if (TAKES_VALUE.has(arg)) at++;
    if (value === 'ours' || value === 'theirs') favor = value;
  }
  const keptFavor = /(?:--|strategy-option\s*=\s*)(ours|theirs)\b/.exec(kept ?? '')?.[1] as 'ours' | 'theirs' | undefined;
  return favor ?? keptFavor ?? null;
}

/**
 * The strategy options git keeps for the rest of a rebase or a cherry-pick of several commits, in
 * the git dir of the working tree at `top` (a linked worktree's own): what `--continue` merges with.
 */
export function keptStrategyOptions(top: string): string {
  let gitDir = path.join(top, '.git');
  const link = readTextOrNull(gitDir);
  const linked = link && /^gitdir: (.*)$/m.exec(link)?.[1];
  if (linked) gitDir = path.resolve(top, linked.trim());
  return [readTextOrNull(path.join(gitDir, 'rebase-merge', 'strategy_opts')), readTextOrNull(path.join(gitDir, 'sequencer', 'opts'))].join('\n');
}
