import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { loadConfig, type RepoConfig } from './config.js';
import { DEFAULT_WORKPLAN_GLOBS } from './config-names.js';
import { UserError } from './errors.js';
import { resolveCommit } from './git/facts.js';
import { readObject } from './git/objects.js';
import { git, GitError, noRepositoryAt } from './git/run.js';
import { syncRemoteUrl } from './git/sync-remote.js';
import { blobsAtPaths, type TreeEntry } from './git/trees.js';
import { defaultSlug, originIdentity } from './repo-slug.js';

/** Where a working tree is: its top folder and its git directory. */
export interface RepoPlace {
  top: string;
  gitDir: string;
}

/** A working tree the tool acts on, with its settings. */
export interface Repo extends RepoPlace {
  slug: string;
  /** The repository the clone syncs with (see syncRemoteUrl and originIdentity), or null without a remote. */
  origin: string | null;
  config: RepoConfig;
}

/** What the caller has asked git already: where the tree is, and the URL it syncs with (see syncRemoteUrl). */
export interface KnownOfRepo {
  place?: RepoPlace;
  remoteUrl?: Promise<string>;
}

/** The working tree around `cwd` and its settings. */
export async function openRepo(cwd: string, known: KnownOfRepo = {}): Promise<Repo> {
  const { top, gitDir } = known.place ?? (await locateRepo(cwd));
  const config = await loadConfig(top);
  const url = await (known.remoteUrl ?? syncRemoteUrl(top, gitDir));
  return { top, gitDir, slug: config.repo ?? defaultSlug(top, url), origin: originIdentity(top, url), config };
}

async function locateRepo(cwd: string): Promise<RepoPlace> {
  let out: string;
  try {
    out = await git(cwd, ['rev-parse', '--is-bare-repository', '--show-toplevel', '--absolute-git-dir']);
  } catch (error) {
    if (error instanceof GitError) throw new UserError(noRepositoryAt(cwd), 2, { cause: error });
    throw error;
  }
  const [bare, top, gitDir] = out.trimEnd().split('\n');
  if (bare === 'true' || !top || !gitDir) throw new UserError(`${cwd} is a bare repository; run custodian-hooks in a working tree`);
  return { top, gitDir };
}

export interface CommittedEntry {
  path: string;
  oid: string;
}

/** Which paths the config selects as workplans: `workplans` globs (all Markdown by default), less `exclude`. */
export function workplanPaths(repo: Repo): (file: string) => boolean {
  const include = picomatch(repo.config.workplans ?? [...DEFAULT_WORKPLAN_GLOBS], { dot: true });
  const exclude = repo.config.exclude ? picomatch(repo.config.exclude, { dot: true }) : () => false;
  return (file) => include(file) && !exclude(file);
}

/** Markdown files committed at `rev` (HEAD by default) that the config selects; none before the first commit. */
export async function listCommittedMarkdown(repo: Repo, rev = 'HEAD'): Promise<{ head: string | null; entries: CommittedEntry[] }> {
  const head = await resolveCommit(repo, rev);
  if (!head) return { head: null, entries: [] };
  const isWorkplanPath = workplanPaths(repo);
  const listing = await git(repo.top, ['ls-tree', '-r', '-z', '--full-tree', head]);
  const entries: CommittedEntry[] = [];
  for (const entry of listing.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab === -1) continue;
    const [, type, oid] = entry.slice(0, tab).split(' ');
    const file = entry.slice(tab + 1);
    if (type === 'blob' && oid && isWorkplanPath(file)) entries.push({ path: file, oid });
  }
  return { head, entries };
}

/** The bytes of blobs, by object id, through the run's object reader. An id git does not have is left out. */
export async function readBlobBytes(repo: Repo, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  await Promise.all(
    [...new Set(oids)].map(async (oid) => {
      const object = await readObject(repo.top, oid);
      if (object) blobs.set(oid, object.bytes);
    }),
  );
  return blobs;
}

/** The texts of blobs, by object id (see readBlobBytes). */
export async function readBlobs(repo: Repo, oids: readonly string[]): Promise<Map<string, string>> {
  const blobs = await readBlobBytes(repo, oids);
  return new Map([...blobs].map(([oid, bytes]) => [oid, bytes.toString('utf8')]));
}

/** The blobs at these paths in `rev`, by path; a path `rev` lacks is left out. Paths are literal. */
export function treeEntries(repo: Repo, rev: string, paths: readonly string[]): Promise<Map<string, TreeEntry>> {
  return blobsAtPaths(repo.top, rev, paths);
}

/** Where git keeps the stash an `--autostash` pull, rebase or merge will re-apply when it ends. */
const AUTOSTASH_FILES = ['rebase-merge/autostash', 'rebase-apply/autostash', 'MERGE_AUTOSTASH'];

/**
 * The files an autostash holds edits of. While it waits (post-rewrite runs then) those edits are
 * not in the working tree, yet they are the user's: a writeback there would make re-applying
 * the stash conflict.
 */
async function autostashedFiles(repo: Repo): Promise<string[]> {
  const stashes = await Promise.all(
    AUTOSTASH_FILES.map((file) =>
      readFile(path.join(repo.gitDir, file), 'utf8').then(
        (s) => s.trim(),
        () => null,
      ),
    ),
  );
  const names = await Promise.all(
    stashes
      .filter((stash): stash is string => !!stash)
      // The stash's tree against HEAD then (the working tree's edits), and its index commit against HEAD (the staged ones).
      .flatMap((stash) => [
        [`${stash}^1`, stash],
        [`${stash}^1`, `${stash}^2`],
      ])
      .map(([from, to]) => git(repo.top, ['diff', '--no-renames', '--name-only', '-z', from!, to!])),
  );
  return names.flatMap((out) => out.split('\0').filter(Boolean));
}

/** Tracked files whose working tree or index differs from HEAD, or that an autostash holds edits of; only among `paths` when given. */
export async function changedFiles(repo: Repo, paths?: readonly string[]): Promise<Set<string>> {
  if (paths?.length === 0) return new Set();
  const only = paths ? ['--', ...paths.map((p) => `:(literal)${p}`)] : [];
  const [out, stashed] = await Promise.all([git(repo.top, ['status', '--porcelain=v1', '-z', '--untracked-files=no', ...only]), autostashedFiles(repo)]);
  const changed = new Set<string>(paths ? stashed.filter((file) => paths.includes(file)) : stashed);
  const entries = out.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    changed.add(entry.slice(3));
    // A rename or copy names its source in the next entry.
    if (entry[0] === 'R' || entry[0] === 'C') changed.add(entries[++i]!);
  }
  return changed;
}
