import { readFileSync } from 'node:fs';
import path from 'node:path';

/** git's own options that take the next word as their value (`git -C dir push`). */
const GIT_OPTIONS_WITH_VALUE = new Set(['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--exec-path']);
/** `git push` options that may take the next word as their value. */
const PUSH_OPTIONS_WITH_VALUE = new Set(['--repo', '--receive-pack', '--exec', '--push-option', '-o']);

/**
 * Whether a `git push` command line asks for a dry run (`--dry-run`, `-n` alone or among other
 * short options, a unique abbreviation such as `--dry`), as git's option parser reads it: up to
 * `--`, skipping the values options take. False for anything else, an alias included.
 */
export function isDryRunPush(argv: readonly string[]): boolean {
  let at = 1;
  while (at < argv.length && argv[at]!.startsWith('-')) at += GIT_OPTIONS_WITH_VALUE.has(argv[at]!) ? 2 : 1;
  if (argv[at] !== 'push') return false;
  let dryRun = false;
  for (at++; at < argv.length; at++) {
    const word = argv[at]!;
    // What follows is refspecs, which no option reads.
    if (word === '--' || word === '--end-of-options') break;
    if (PUSH_OPTIONS_WITH_VALUE.has(word)) at++;
    else if (word.startsWith('--')) {
      const name = word.split('=')[0]!;
      // `--dr` is the shortest that names no other option (`--delete`), `--no-dr` its negation.
      if (name.length >= 4 && '--dry-run'.startsWith(name)) dryRun = true;
      else if (name.length >= 7 && '--no-dry-run'.startsWith(name)) dryRun = false;
    } else if (word.startsWith('-')) {
      // Short options run together; `-o` takes the rest of the word, or the next one.
      for (let i = 1; i < word.length; i++) {
        if (word[i] === 'n') dryRun = true;
        if (word[i] === 'o') {
          if (i === word.length - 1) at++;
          break;
        }
      }
    }
  }
  return dryRun;
}

/** How far up the process tree the `git push` is looked for: a shim, a hook manager and its shell. */
const ANCESTORS = 5;

/**
 * Whether the git process this hook runs under is `git push --dry-run`: git runs pre-push for a
 * dry run too, and tells the hook nothing of it. Read from `/proc`; where that cannot be read
 * (not Linux, a process gone), false: the push is taken as real, as it always was.
 */
export function pushIsDryRun(pid = process.ppid): boolean {
  for (let depth = 0; depth < ANCESTORS && pid > 1; depth++) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
      if (argv.length > 0 && path.basename(argv[0]!) === 'git') return isDryRunPush(argv);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // `pid (name) state ppid …`: the name may hold spaces and parentheses.
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}
