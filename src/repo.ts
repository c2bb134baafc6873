import path from 'node:path';
import picomatch from 'picomatch';
import { loadConfig, type RepoConfig } from './config.js';
import { DEFAULT_WORKPLAN_GLOBS } from './config-names.js';
import { UserError } from './errors.js';
import { git, gitBytes, GitError } from './git.js';

/** Where a working tree is: its top folder and its git directory. */
export interface RepoPlace {
  top: string;
  gitDir: string;
}

/** A working tree the tool acts on, with its settings. */
export interface Repo extends RepoPlace {
  slug: string;
  config: RepoConfig;
}

/** What the caller has asked git already: where the tree is, and `remote.origin.url` ('' for none). */
export interface KnownOfRepo {
  place?: RepoPlace;
  originUrl?: Promise<string>;
}

/** The working tree around `cwd` and its settings. */
export async function openRepo(cwd: string, known: KnownOfRepo = {}): Promise<Repo> {
  const { top, gitDir } = known.place ?? (await locateRepo(cwd));
  const config = await loadConfig(top);
  return { top, gitDir, slug: config.repo ?? slugOf(top, await (known.originUrl ?? originUrl(top))), config };
}

async function locateRepo(cwd: string): Promise<RepoPlace> {
  let out: string;
  try {
    out = await git(cwd, ['rev-parse', '--is-bare-repository', '--show-toplevel', '--absolute-git-dir']);
  } catch (error) {
    if (error instanceof GitError) throw new UserError(`not inside a git repository: ${cwd}`, 2, { cause: error });
    throw error;
  }
  const [bare, top, gitDir] = out.trimEnd().split('\n');
  if (bare === 'true' || !top || !gitDir) throw new UserError(`${cwd} is a bare repository; run custodian-hooks in a working tree`);
  return { top, gitDir };
}

function originUrl(top: string): Promise<string> {
  return git(top, ['config', '--get', 'remote.origin.url']).catch(() => '');
}

/** The repo's name: from the remote's URL when there is one, so every clone agrees; else the folder. */
function slugOf(top: string, remoteUrl: string): string {
  const name = remoteUrl.trim().replace(/\/+$/, '').replace(/\.git$/, '').split(/[/:\\]/).pop();
  return name || path.basename(top);
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
  const head = await git(repo.top, ['rev-parse', '--verify', '-q', `${rev}^{commit}`]).then((s) => s.trim(), () => null);
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

/**
 * The contents of blobs, by object name (an id, or `rev:path`), from one `git cat-file --batch`.
 * A name git does not have is left out.
 */
export async function readBlobs(repo: Repo, names: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return texts;
  const blobs = await gitBytes(repo.top, ['cat-file', '--batch'], { input: `${wanted.join('\n')}\n` });
  let at = 0;
  for (const name of wanted) {
    const headerEnd = blobs.indexOf(10, at);
    const header = blobs.toString('utf8', at, headerEnd);
    at = headerEnd + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
    const size = Number(header.split(' ')[2]);
    texts.set(name, blobs.toString('utf8', at, at + size));
    at += size + 1;
  }
  return texts;
}

/** Tracked files whose working tree or index differs from HEAD; only among `paths` when given. */
export async function changedFiles(repo: Repo, paths?: readonly string[]): Promise<Set<string>> {
  if (paths?.length === 0) return new Set();
  const only = paths ? ['--', ...paths.map((p) => `:(literal)${p}`)] : [];
  const out = await git(repo.top, ['status', '--porcelain=v1', '-z', '--untracked-files=no', ...only]);
  const changed = new Set<string>();
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
