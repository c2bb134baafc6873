import { readFileSync } from 'node:fs';

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The arguments of the nearest git process above this one, where the system shows them (Linux's
 * /proc), else null. Some of what git runs a merge with reaches a merge driver no other way: the
 * commit a one-commit cherry-pick picks, a `-X ours` or `-X theirs`.
 */
export function gitCommandLine(depth = 4): string[] | null {
  let pid = process.ppid;
  for (let i = 0; i < depth && pid > 1; i++) {
    const cmdline = readText(`/proc/${pid}/cmdline`);
    const stat = readText(`/proc/${pid}/stat`);
    if (cmdline === null || stat === null) return null;
    const argv = cmdline.split('\0').filter((a) => a !== '');
    if (/(^|\/)git$/.test(argv[0] ?? '')) return argv;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return null;
}

/** The side `-X ours` / `-X theirs` (or `--strategy-option`) asks conflicts to take, if the command line says. */
export function strategyFavor(argv: readonly string[] | null): 'ours' | 'theirs' | null {
  let favor: 'ours' | 'theirs' | null = null;
  (argv ?? []).forEach((arg, at) => {
    const value = arg === '-X' || arg === '--strategy-option' ? argv![at + 1] : /^(?:-X|--strategy-option=)(.*)$/.exec(arg)?.[1];
    if (value === 'ours' || value === 'theirs') favor = value;
  });
  return favor;
}
