import { chmod, copyFile, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { messageOf } from './errors.js';
import { git, GitError } from './git.js';
import type { Writeback } from './reconcile/types.js';
import type { Repo } from './repo.js';
import { setStatus } from './workplan/set-status.js';

/** The spec's commit message (CUST-WP-0026, T03). */
export function writebackMessage(hostname: string, writebacks: readonly Writeback[]): string {
  const lines = writebacks.map((w) => `- ${w.taskId}: ${w.from} → ${w.to}`);
  return `chore(consistency): sync task status from DB [auto]\n\nUpdated by fix-consistency on ${hostname}:\n${lines.join('\n')}\n`;
}

/** Applies every writeback of one file to its text; a refusal names the task and why. */
export function editText(text: string, writebacks: readonly Writeback[]): { ok: true; text: string } | { ok: false; reason: string } {
  let current = text;
  for (const w of writebacks) {
    const result = setStatus(current, w.taskId, w.to);
    if (!result.ok) return { ok: false, reason: `${w.file}: ${result.reason}` };
    current = result.text;
  }
  return { ok: true, text: current };
}

export interface PreparedCommit {
  commit: string;
  parent: string;
  files: { path: string; mode: string; blob: string; writebacks: Writeback[] }[];
}

const FALLBACK_IDENTITY = (host: string) => ({
  GIT_AUTHOR_NAME: 'custodian-hooks',
  GIT_AUTHOR_EMAIL: `custodian-hooks@${host}`,
  GIT_COMMITTER_NAME: 'custodian-hooks',
  GIT_COMMITTER_EMAIL: `custodian-hooks@${host}`,
});

/**
 * Builds the writeback commit as an object, without touching HEAD, the index or the working
 * tree: its id can go into the hub's sync points before anything local changes. The tree is
 * HEAD's with only the edited files replaced, so the user's staged work never rides along, and
 * no commit hooks run.
 */
export async function prepareWritebackCommit(
  repo: Repo,
  head: string,
  writebacks: readonly Writeback[],
  committed: ReadonlyMap<string, string>,
  hostname: string,
): Promise<PreparedCommit> {
  const byFile = new Map<string, Writeback[]>();
  for (const w of writebacks) byFile.set(w.file, [...(byFile.get(w.file) ?? []), w]);

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'custodian-wb-'));
  try {
    const edited: { path: string; temp: string; writebacks: Writeback[] }[] = [];
    for (const [file, list] of byFile) {
      const text = committed.get(file);
      if (text === undefined) throw new Error(`${file} is not committed at HEAD`);
      const result = editText(text, list);
      if (!result.ok) throw new Error(result.reason);
      const temp = path.join(scratch, String(edited.length));
      await writeFile(temp, result.text);
      edited.push({ path: file, temp, writebacks: list });
    }
    const blobs = (await git(repo.top, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${edited.map((e) => e.temp).join('\n')}\n` })).trim().split('\n');
    const modes = new Map<string, string>();
    const listing = await git(repo.top, ['ls-tree', '-z', head, '--', ...edited.map((e) => e.path)]);
    for (const entry of listing.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab !== -1) modes.set(entry.slice(tab + 1), entry.split(' ')[0]!);
    }
    const files = edited.map((e, i) => ({ path: e.path, mode: modes.get(e.path) ?? '100644', blob: blobs[i]!, writebacks: e.writebacks }));

    const index = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    await git(repo.top, ['read-tree', head], { env: index });
    await git(repo.top, ['update-index', '--index-info'], { env: index, input: files.map((f) => `${f.mode} ${f.blob}\t${f.path}\n`).join('') });
    const tree = (await git(repo.top, ['write-tree'], { env: index })).trim();
    const message = writebackMessage(hostname, writebacks);
    const commitTree = (env: Record<string, string> = {}) => git(repo.top, ['commit-tree', tree, '-p', head, '-F', '-'], { input: message, env });
    const commit = await commitTree().catch((error: unknown) => {
      // A machine with no git identity (an agent's box) still gets its writeback committed.
      if (error instanceof GitError && /identity|tell me who you are|empty ident|user\.email/i.test(error.stderr)) return commitTree(FALLBACK_IDENTITY(hostname));
      throw error;
    });
    return { commit: commit.trim(), parent: head, files };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.custodian-${process.pid}.tmp`;
  const { mode } = await stat(file);
  try {
    await writeFile(temp, text);
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Moves the branch to the prepared commit, only if it is still where the run found it, and
 * brings the index entries and files of the edited workplans along. The index is locked the way
 * git locks it for the whole move, so a busy index (another git command) stops this before
 * anything changes, and the branch never moves without its index.
 */
export async function landWritebackCommit(repo: Repo, branchRef: string, prepared: PreparedCommit): Promise<void> {
  const index = path.join(repo.gitDir, 'index');
  const lock = await open(`${index}.lock`, 'wx').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new Error(`${index}.lock exists: another git process is running (or crashed and left it); nothing changed`);
    throw error;
  });
  const staged = `${index}.custodian-${process.pid}`;
  try {
    await copyFile(index, staged).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await git(repo.top, ['update-index', '--index-info'], { env: { GIT_INDEX_FILE: staged }, input: prepared.files.map((f) => `${f.mode} ${f.blob}\t${f.path}\n`).join('') });
    await git(repo.top, ['update-ref', '-m', 'custodian-hooks: sync task status from DB', branchRef, prepared.commit, prepared.parent]);
    await rename(staged, index);
  } finally {
    await lock.close();
    await rm(`${index}.lock`, { force: true });
    await rm(staged, { force: true });
  }
  const failures: string[] = [];
  for (const file of prepared.files) {
    const absolute = path.join(repo.top, file.path);
    try {
      // The working copy may differ from the blob only by checkout filters (line endings): edit it the same way.
      const result = editText(await readFile(absolute, 'utf8'), file.writebacks);
      if (!result.ok) throw new Error(result.reason);
      await writeAtomically(absolute, result.text);
    } catch (error) {
      failures.push(`${file.path}: ${messageOf(error)}`);
    }
  }
  await git(repo.top, ['update-index', '-q', '--refresh']).catch(() => undefined);
  if (failures.length > 0) throw new Error(`committed, but could not update the working copy of ${failures.join('; ')}`);
}
