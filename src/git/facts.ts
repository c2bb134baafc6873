import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { COMMIT_ID } from './commit-id.js';
import { readObject } from './objects.js';
import { git, gitTest, GitError, gitUntil } from './run.js';
import type { Ancestry } from '../reconcile/types.js';
import type { Repo, RepoPlace } from '../repo.js';

/** Where the working tree stands: what it is on, what it tracks, what is half-done. */
export interface TreeState {
  head: string | null;
  /** `refs/heads/…`, or null on a detached HEAD. */
  branchRef: string | null;
  upstreamRef: string | null;
  /** The upstream's commit as this clone last fetched it. */
  upstream: string | null;
  remote: string | null;
  /** The branch the remote's HEAD names (`refs/remotes/<remote>/HEAD`), as of the last clone or `remote set-head`. */
  remoteDefault: string | null;
  /** A merge, rebase, cherry-pick or revert in progress, or null. */
  operation: string | null;
}

const OPERATIONS: [string, string][] = [
  ['MERGE_HEAD', 'a merge'],
  ['rebase-merge', 'a rebase'],
  ['rebase-apply', 'a rebase or am'],
  ['CHERRY_PICK_HEAD', 'a cherry-pick'],
  ['REVERT_HEAD', 'a revert'],
];

/**
 * All of it from two git processes at once and the run's object reader: a hook runs this on every
 * pull, and a process costs it more than the question. The upstream is asked of rev-parse as
 * `@{upstream}`: the ref's full name would fall back to other readings (a branch of that name, a
 * `describe`-like `-g<hex>`) when the ref itself is missing, and git's reader dies on `@{upstream}`
 * without one.
 */
export async function readTreeState(repo: Repo): Promise<TreeState> {
  const [head, upstream, refs] = await Promise.all([
    resolveCommit(repo, 'HEAD'),
    resolveCommit(repo, '@{upstream}'),
    // The current branch is marked `*`; a remote's HEAD names its default branch.
    git(repo.top, ['for-each-ref', '--format=%(HEAD)%00%(refname)%00%(upstream)%00%(upstream:remotename)%00%(symref)', 'refs/heads', 'refs/remotes/*/HEAD']),
  ]);
  const rows = refs
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\0'));
  const [, branchRef = null, upstreamRef = '', remote = ''] = rows.find((row) => row[0] === '*') ?? [];
  // Without an upstream, origin's default branch is the one that counts.
  const remoteRefs = `refs/remotes/${remote || 'origin'}/`;
  const remoteHead = rows.find((row) => row[1] === `${remoteRefs}HEAD`)?.[4] ?? '';
  const found = OPERATIONS.find(([file]) => existsSync(path.join(repo.gitDir, file)))?.[1] ?? null;
  const operation = found === 'a merge' && (await mergeConcluded(repo)) ? null : found;
  return {
    head,
    branchRef,
    upstreamRef: upstreamRef || null,
    upstream: upstreamRef ? upstream : null,
    remote: remote || null,
    remoteDefault: remoteHead.replace(remoteRefs, '') || null,
    operation,
  };
}

/** The commits a merge in progress is merging (MERGE_HEAD); none when no merge is in progress. */
export function mergeHeads(repo: Repo): Promise<string[]> {
  return readFile(path.join(repo.gitDir, 'MERGE_HEAD'), 'utf8').then(
    (text) => text.split('\n').filter(Boolean),
    (): string[] => [],
  );
}

/**
 * git runs post-merge while MERGE_HEAD is still there: a merge it just committed is no merge in
 * progress. HEAD then has the merged commit among its parents (HEAD itself is not it).
 */
async function mergeConcluded(repo: Repo): Promise<boolean> {
  const merging = await mergeHeads(repo);
  const parents = await git(repo.top, ['rev-list', '--no-walk', '--parents', 'HEAD']).then(
    (out) => out.trim().split(' ').slice(2),
    (): string[] => [],
  );
  return merging.length > 0 && merging.every((commit) => parents.includes(commit));
}

/** The branches hooks act on: `.custodian.yml` `branches`, else the remote's default branch, else main and master. */
export function trackedBranches(repo: Repo, state: TreeState): string[] {
  return repo.config.branches ?? (state.remoteDefault ? [state.remoteDefault] : ['main', 'master']);
}

/** Best-effort `git fetch` of the upstream: offline, slow or refused → false, silently. */
export async function fetchUpstream(repo: Repo, state: TreeState, timeoutMs: number): Promise<boolean> {
  if (!state.remote || state.remote === '.' || !state.upstreamRef) return false;
  const env: Record<string, string> = process.env.GIT_SSH_COMMAND ? {} : { GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=3' };
  return git(repo.top, ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', state.remote], { timeoutMs, env }).then(
    () => true,
    () => false,
  );
}

/**
 * The commit `rev` names, or null. HEAD and commit ids are asked of the run's object reader (a
 * process less on every run); any other revision of rev-parse, as the reader dies on some
 * (`@{upstream}` on a detached HEAD) and would take the run's other questions with it. A reader
 * that failed throws: only git's "missing" means there is no such commit.
 */
export async function resolveCommit(repo: Repo, rev: string): Promise<string | null> {
  if (rev === 'HEAD' || COMMIT_ID.test(rev)) {
    const object = await readObject(repo.top, `${rev}^{commit}`);
    return object?.type === 'commit' ? object.oid : null;
  }
  return git(repo.top, ['rev-parse', '-q', '--verify', `${rev}^{commit}`]).then(
    (s) => s.trim(),
    () => null,
  );
}

/** Is `ancestor` an ancestor of (or equal to) `descendant`: 'unknown' where git cannot answer (shallow history, missing objects, a git that fails). */
export async function ancestryOf(repo: Repo, ancestor: string, descendant: string): Promise<ReturnType<Ancestry>> {
  // After a fast-forward pull the upstream is HEAD itself: no process for that.
  if (ancestor === descendant) return 'yes';
  return gitTest(repo.top, ['merge-base', '--is-ancestor', ancestor, descendant]).then(
    (yes) => (yes ? 'yes' : 'no'),
    () => 'unknown',
  );
}

/** Yes/no, with everything git cannot answer as no. */
export async function isAncestor(repo: Repo, ancestor: string, descendant: string): Promise<boolean> {
  return (await ancestryOf(repo, ancestor, descendant)) === 'yes';
}

/** Which of these commit ids this clone has, asked of the run's object reader. */
export async function presentCommits(repo: Repo, commits: Iterable<string | null>): Promise<Set<string>> {
  const wanted = [...new Set([...commits].filter((c): c is string => !!c && COMMIT_ID.test(c)))];
  const types = await Promise.all(wanted.map(async (commit) => (await readObject(repo.top, commit))?.type));
  return new Set(wanted.filter((_, i) => types[i] === 'commit'));
}

/**
 * Answers ancestry among a set of commits this clone has (from its own refs and history, or
 * checked with presentCommits), from one history walk; any other commit is 'unknown'. The walk
 * starts at every one of them and stops below their common ancestor B (at B's parents): any path
 * from one of them down to another stays above B, so nothing it needs is cut off.
 */
export async function ancestryAmong(repo: Repo, commits: Iterable<string | null>): Promise<HistoryWalk> {
  const tips = [...new Set([...commits].filter((c): c is string => !!c))];
  const index = new Map(tips.map((tip, i) => [tip, i]));
  const { below, linear } = tips.length > 0 ? await tipsBelow(repo, tips, index) : { below: [], linear: true };
  const ancestry: Ancestry = (ancestor, descendant) => {
    // A commit is its own ancestor even where this clone lacks it (a point naming another clone's commit).
    if (ancestor === descendant) return 'yes';
    const a = index.get(ancestor);
    const d = index.get(descendant);
    if (a === undefined || d === undefined) return 'unknown';
    return (below[d]![a >> 5]! >>> (a & 31)) & 1 ? 'yes' : 'no';
  };
  return { ancestry, linear };
}

/** Ancestry among some commits, and whether the history walked to answer it holds no merge. */
export interface HistoryWalk {
  ancestry: Ancestry;
  /** Every commit walked has one parent (false when git could not walk it). */
  linear: boolean;
}

/**
 * The newest commit every one of `commits` descends from, or '' where git finds none: a walk
 * from them stopped at its parents (`--not <base>^@`) holds every commit between.
 */
export async function commonBase(repo: Repo, commits: readonly string[]): Promise<string> {
  if (commits.length === 1) return commits[0]!;
  return git(repo.top, ['merge-base', '--octopus', ...commits]).then(
    (s) => s.trim(),
    () => '',
  );
}

/**
 * For each tip, a bit (its place in `bit`) for every other tip it descends from, and whether the
 * walk met a merge. A point set long ago puts B far down, so the walk may hold many thousand
 * commits: it is read once, parents before children (`--topo-order`: commit dates may lie), and
 * each commit's bits are its parents' bits joined, shared down a line without merges. Questions
 * are then lookups, however many follow.
 */
async function tipsBelow(repo: Repo, tips: string[], bit: ReadonlyMap<string, number>): Promise<{ below: Uint32Array[]; linear: boolean }> {
  const base = await commonBase(repo, tips);
  const out = await git(repo.top, ['rev-list', '--parents', '--topo-order', ...tips, ...(base ? ['--not', `${base}^@`] : [])]).catch((error: unknown) => {
    if (error instanceof GitError) return null;
    throw error;
  });
  const none = new Uint32Array(Math.ceil(tips.length / 32));
  let linear = out !== null;
  const bits = new Map<string, Uint32Array>();
  const lines = out?.split('\n') ?? [];
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]) continue;
    const [commit, ...parents] = lines[i]!.split(' ');
    if (parents.length > 1) linear = false;
    const walked = parents.filter((p) => bits.has(p));
    if (walked.length === 1 && !bit.has(walked[0]!)) {
      bits.set(commit!, bits.get(walked[0]!)!);
      continue;
    }
    const joined = walked.length === 0 ? none : new Uint32Array(none.length);
    for (const p of walked) {
      const from = bits.get(p)!;
      for (let w = 0; w < joined.length; w++) joined[w]! |= from[w]!;
      const at = bit.get(p);
      if (at !== undefined) joined[at >> 5]! |= 1 << (at & 31);
    }
    bits.set(commit!, joined);
  }
  // A tip the walk did not reach (git could not answer) descends from none of the others.
  return { below: tips.map((tip) => bits.get(tip) ?? none), linear };
}

/**
 * Writes git's commit-graph for the history there is, adding a layer to one that exists. With it
 * git walks a long history several times faster, and the walk above starts from every commit a
 * hub point names, however old (20,000 commits: about 300 ms without, 120 ms with). Git's own
 * `gc` keeps it up to date from then on. A repo with no commits, or a shallow one, gets none:
 * false, as when git could not write it.
 */
export async function writeCommitGraph(repo: RepoPlace): Promise<boolean> {
  try {
    await git(repo.top, ['commit-graph', 'write', '--reachable', '--split']);
    const chain = await git(repo.top, ['rev-parse', '--path-format=absolute', '--git-path', 'objects/info/commit-graphs/commit-graph-chain']);
    return existsSync(chain.trim());
  } catch {
    return false;
  }
}

/**
 * The user's and the system's git settings, left out where they would change an answer. A global
 * `blame.ignoreRevsFile` naming a file a repo lacks makes every blame fail, and ignored revisions
 * make blame name older commits. Only the command line can vouch for the repo's owner then, and
 * every other git call of the run has already found it safe.
 */
const WITHOUT_USER_CONFIG = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
/** Run with WITHOUT_USER_CONFIG: the repo's owner vouched for on the command line instead. */
const trusting = (repo: Repo) => ['-c', `safe.directory=${repo.top}`];

/** Where blame says a line came from: the commit, and the line's number and file name there (as blame prints it: see quotedPath). */
export interface BlamedLine {
  commit: string;
  line: number;
  file: string;
}

/**
 * The commit that last set each given line at `head`, and where the line sat in it: one
 * `git blame` per file, with a `-L` per line. A file git cannot blame gives null for its lines:
 * unknown, never "not seen".
 */
export async function blameLines(
  repo: Repo,
  head: string,
  linesByFile: ReadonlyMap<string, readonly number[]>,
  options: { firstParent?: boolean } = {},
): Promise<Map<string, Map<number, BlamedLine | null>>> {
  const result = new Map<string, Map<number, BlamedLine | null>>();
  const files = [...linesByFile.entries()];
  const worker = async () => {
    for (let entry = files.shift(); entry; entry = files.shift()) {
      const [file, lines] = entry;
      const found = new Map<number, BlamedLine | null>(lines.map((l) => [l, null]));
      const ranges = [...new Set(lines)].flatMap((l) => ['-L', `${l},${l}`]);
      const args = [
        ...trusting(repo),
        // Names as quotedPath writes them: a non-ASCII letter as itself, not octal escapes.
        '-c',
        'core.quotePath=false',
        'blame',
        '--porcelain',
        // A repo's own `blame.ignoreRevsFile` breaks or skews blame as a global one does.
        '--no-ignore-revs-file',
        ...(options.firstParent ? ['--first-parent'] : []),
        ...ranges,
        head,
        '--',
        file,
      ];
      const out = await git(repo.top, args, { env: WITHOUT_USER_CONFIG }).catch(() => '');
      // Each line's header names the commit, the line's number there and here. The file it sat
      // in there follows as a `filename` line the first time a commit shows (or always, for a
      // commit that touched several paths); later lines of that commit end at their content line.
      const fileOf = new Map<string, string>();
      let header: RegExpExecArray | null = null;
      for (const line of out.split('\n')) {
        const match = /^([0-9a-f]{40,64}) (\d+) (\d+)/.exec(line);
        if (match) header = match;
        else if (header && line.startsWith('filename ')) fileOf.set(header[1]!, line.slice('filename '.length));
        if (!header || !line.startsWith('\t')) continue;
        const file = fileOf.get(header[1]!);
        if (file !== undefined) found.set(Number(header[3]), { commit: header[1]!, line: Number(header[2]), file });
        header = null;
      }
      result.set(file, found);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  return result;
}

/**
 * For each file, the newest commit on `head`'s first-parent chain that changed it (a merge
 * compared with its first parent): no later commit of that chain changed the file, so that
 * commit's tree holds it exactly as `head` does. One `git log` for every file, stopped once each
 * is found. A file it does not find (a history git cannot walk) is left out.
 */
export async function lastChangedIn(repo: Repo, head: string, files: Iterable<string>): Promise<Map<string, string>> {
  const wanted = new Set(files);
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  const args = [
    ...trusting(repo),
    '--literal-pathspecs',
    'log',
    '--first-parent',
    '-m',
    '--no-renames',
    '--no-show-signature',
    '--name-only',
    '-z',
    '--format=%H',
    '--stdin',
  ];
  // Each commit comes as its id, NUL, then a newline before its first path; every path ends in NUL.
  let commit = '';
  let rest = '';
  const read = (chunk: string): boolean => {
    const tokens = (rest + chunk).split('\0');
    rest = tokens.pop()!;
    for (const token of tokens) {
      const name = token.startsWith('\n') ? token.slice(1) : token;
      if (wanted.has(name)) {
        if (!found.has(name)) found.set(name, commit);
      } else if (COMMIT_ID.test(token)) commit = token;
    }
    return found.size === wanted.size;
  };
  await gitUntil(repo.top, args, { env: WITHOUT_USER_CONFIG, input: `${head}\n--\n${[...wanted].join('\n')}\n` }, read).catch(() => undefined);
  return found;
}
