import { readTextOrNull } from '../read-if-exists.js';

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

/** Strategy options that change how git merges a file's text, which the driver does not pass to `git merge-file` (`renormalize` git applies before any driver). */
const TEXT_OPTION = /^(?:ignore-(?:space-change|all-space|space-at-eol|cr-at-eol)|patience|histogram|diff-algorithm=.*)$/;

/**
 * The strategy options (`-X`, `--strategy-option`) git merges with: from git's command line, or,
 * after `rebase --continue` or `cherry-pick --continue`, from the options git kept for the rest of
 * the run (`rebase-merge/strategy_opts`, `sequencer/opts`). `favor`, the side `ours` / `theirs` asks
 * conflicts to take; `unapplied`, those that change how the text merges, which the driver cannot
 * pass on to `git merge-file`.
 */
export function strategyOptions(argv: readonly string[] | null, kept: string | null): { favor: 'ours' | 'theirs' | null; unapplied: string[] } {
  const given: string[] = [];
  for (let at = 0; argv && at < argv.length; at++) {
    const arg = argv[at]!;
    const value = arg === '-X' || arg === '--strategy-option' ? argv[++at] : /^(?:-X|--strategy-option=)(.*)$/.exec(arg)?.[1];
    if (TAKES_VALUE.has(arg)) at++;
    if (value !== undefined) given.push(value);
  }
  const keptValues = [...(kept ?? '').matchAll(/(?:'--|(?<![\w-])--|strategy-option\s*=\s*)([\w=-]+)/g)].map((m) => m[1]!);
  const favorIn = (values: string[]) => values.filter((v): v is 'ours' | 'theirs' => v === 'ours' || v === 'theirs').at(-1) ?? null;
  const all = [...given, ...keptValues];
  return { favor: favorIn(given) ?? favorIn(keptValues), unapplied: [...new Set(all.filter((v) => TEXT_OPTION.test(v)))] };
}

/** Global options of git whose value is the next argument. */
const GLOBAL_WITH_VALUE = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']);

/** The git command a command line runs (`stash`, `revert`, …), and the arguments after it. */
export function gitSubcommand(argv: readonly string[] | null): { name: string; args: string[] } | null {
  for (let at = 1; argv && at < argv.length; at++) {
    const arg = argv[at]!;
    if (GLOBAL_WITH_VALUE.has(arg)) at++;
    else if (!arg.startsWith('-')) return { name: arg, args: argv.slice(at + 1) };
  }
  return null;
}
