import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { critical } from '../critical-section.js';
import { messageOf } from '../errors.js';
import { git, GitError } from '../git/run.js';
import type { Writeback } from '../reconcile/types.js';
import { readBlobBytes, treeEntries, type Repo } from '../repo.js';
import { setStatusesInBytes } from '../workplan/set-status.js';
import { SIGNING_TIMEOUT_MS, shouldSign, teamMessage } from './commit-rules.js';
import { writebackMessage } from './message.js';

/** Applies a file's writebacks to its bytes, from one scan of them; a task that cannot be written is refused with a reason, the others applied. */
export function editBytes(bytes: Buffer, writebacks: readonly Writeback[]): { bytes: Buffer; applied: Writeback[]; refused: WritebackRefusal[] } {
  const edits = writebacks.map((writeback) => ({ taskId: writeback.taskId, status: writeback.to, line: writeback.line, writeback }));
  const result = setStatusesInBytes(bytes, edits);
  return {
    bytes: result.bytes,
    applied: result.applied.map((e) => e.writeback),
    refused: result.refused.map((r) => ({ writeback: r.edit.writeback, reason: r.reason })),
  };
}

export interface WritebackRefusal {
  writeback: Writeback;
  reason: string;
}

export interface PreparedFile {
  path: string;
  mode: string;
  /** The file's blob at the parent, and in the writeback commit. */
  before: string;
  blob: string;
  writebacks: Writeback[];
}

export interface PreparedCommit {
  commit: string;
  parent: string;
  files: PreparedFile[];
}

export interface PreparedWriteback {
  /** Null when no task could be written. */
  prepared: PreparedCommit | null;
  refused: WritebackRefusal[];
}

const FALLBACK_IDENTITY = (host: string) => ({
  GIT_AUTHOR_NAME: 'custodian-hooks',
  GIT_AUTHOR_EMAIL: `custodian-hooks@${host}`,
  GIT_COMMITTER_NAME: 'custodian-hooks',
  GIT_COMMITTER_EMAIL: `custodian-hooks@${host}`,
});

/** Index lines for `update-index -z --index-info`: NUL-terminated, so no path is ever unquoted or split. */
const indexInfo = (files: readonly PreparedFile[]) => files.map((f) => `${f.mode} ${f.blob}\t${f.path}\0`).join('');

/**
 * The index entries of `files` (in the index `env` names) set to their new blobs, each keeping its
 * skip-worktree and assume-unchanged bits. `--index-info` replaces an entry whole: a workplan
 * outside a sparse checkout would lose its bit, read as deleted, and hold every later writeback
 * to it up as an uncommitted change. Returns the files with skip-worktree set.
 */
async function replaceIndexEntries(repo: Repo, files: readonly PreparedFile[], env: Record<string, string> = {}): Promise<ReadonlySet<string>> {
  const { skipWorktree, assumeUnchanged } = await indexBits(repo, files, env);
  await git(repo.top, ['update-index', '-z', '--index-info'], { env, input: indexInfo(files) });
  for (const [flag, paths] of [
    ['--skip-worktree', skipWorktree],
    ['--assume-unchanged', assumeUnchanged],
  ] as const) {
    if (paths.length > 0) await git(repo.top, ['update-index', '-z', flag, '--stdin'], { env, input: paths.map((p) => `${p}\0`).join('') });
  }
  return new Set(skipWorktree);
}

/** Which of `files` have their skip-worktree and assume-unchanged bits set in the index `env` names. */
async function indexBits(repo: Repo, files: readonly PreparedFile[], env: Record<string, string> = {}) {
  const listed = await git(repo.top, ['--literal-pathspecs', 'ls-files', '-v', '-z', '--', ...files.map((f) => f.path)], { env });
  const skipWorktree: string[] = [];
  const assumeUnchanged: string[] = [];
  // `<tag> <path>`: S is skip-worktree; a tag in lower case is assume-unchanged.
  for (const entry of listed.split('\0')) {
    if (entry.length < 3) continue;
    const [tag, file] = [entry[0]!, entry.slice(2)];
    if (tag.toUpperCase() === 'S') skipWorktree.push(file);
    if (tag !== tag.toUpperCase()) assumeUnchanged.push(file);
  }
  return { skipWorktree, assumeUnchanged };
}

/** The files whose working copy is git's to show: one with skip-worktree set is not (git refuses to check it out, and ignores it). */
async function inWorkingTree(repo: Repo, files: readonly PreparedFile[]): Promise<(file: PreparedFile) => boolean> {
  const hidden = new Set((await indexBits(repo, files)).skipWorktree);
  return (file) => !hidden.has(file.path);
}

/** Refuses a commit that changes any path but the planned ones: the last line of defence against a path git read otherwise. */
export async function checkChangedPaths(repo: Repo, parent: string, commit: string, planned: readonly string[]): Promise<void> {
  const out = await git(repo.top, ['diff-tree', '-z', '-r', '--no-renames', '--name-only', parent, commit]);
  const changed = out.split('\0').filter(Boolean).sort();
  const expected = [...planned].sort();
  if (changed.length !== expected.length || changed.some((p, i) => p !== expected[i])) {
    throw new Error(`the writeback commit would change ${JSON.stringify(changed)}, not the planned ${JSON.stringify(expected)}; nothing landed`);
  }
}

/**
 * Builds the writeback commit as an object, without touching HEAD, the index or the working
 * tree: its id can go into the hub's sync points before anything local changes. The tree is
 * HEAD's with only the edited files replaced, so the user's staged work never rides along, and
 * no commit hooks run. A task that cannot be written is refused and the others go on.
 */
export async function prepareWritebackCommit(repo: Repo, head: string, writebacks: readonly Writeback[], hostname: string): Promise<PreparedWriteback> {
  const { edited, refused } = await editedFiles(repo, head, writebacks);
  if (edited.length === 0) return { prepared: null, refused };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'custodian-wb-'));
  try {
    // Blobs from files named 0, 1, … relative to the scratch folder: no path of the repo (nor of the temp folder)
    // crosses git's one-per-line input.
    await Promise.all(edited.map((e, i) => writeFile(path.join(scratch, String(i)), e.bytes)));
    const names = `${edited.map((_, i) => String(i)).join('\n')}\n`;
    const hashed = await git(scratch, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: names, env: { GIT_DIR: repo.gitDir } });
    const blobs = hashed.trim().split('\n');
    const files = edited.map(({ bytes: _bytes, ...e }, i) => ({ ...e, blob: blobs[i]! }));

    const index = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    await git(repo.top, ['read-tree', head], { env: index });
    await git(repo.top, ['update-index', '-z', '--index-info'], { env: index, input: indexInfo(files) });
    const tree = (await git(repo.top, ['write-tree'], { env: index })).trim();
    const message = teamMessage(
      writebackMessage(
        hostname,
        files.flatMap((f) => f.writebacks),
      ),
      repo.config.commit,
    );
    const commit = await commitTree(repo, tree, head, message, hostname);
    await checkChangedPaths(
      repo,
      head,
      commit,
      files.map((f) => f.path),
    );
    return { prepared: { commit, parent: head, files }, refused };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Each file's committed bytes with its statuses edited; the tasks that cannot be written, and why. */
async function editedFiles(
  repo: Repo,
  head: string,
  writebacks: readonly Writeback[],
): Promise<{ edited: (Omit<PreparedFile, 'blob'> & { bytes: Buffer })[]; refused: WritebackRefusal[] }> {
  const byFile = new Map<string, Writeback[]>();
  for (const w of writebacks) byFile.get(w.file)?.push(w) ?? byFile.set(w.file, [w]);
  const entries = await treeEntries(repo, head, [...byFile.keys()]);
  const committed = await readBlobBytes(
    repo,
    [...entries.values()].map((e) => e.oid),
  );
  const refused: WritebackRefusal[] = [];
  const edited: (Omit<PreparedFile, 'blob'> & { bytes: Buffer })[] = [];
  for (const [file, list] of byFile) {
    const entry = entries.get(file);
    const bytes = entry && committed.get(entry.oid);
    if (!entry || !bytes) {
      refused.push(...list.map((writeback) => ({ writeback, reason: 'the file is not committed at HEAD' })));
      continue;
    }
    const result = editBytes(bytes, list);
    refused.push(...result.refused);
    // A status already as planned leaves the bytes alone: no file for the commit to change.
    if (result.bytes.equals(bytes)) continue;
    edited.push({ path: file, mode: entry.mode, before: entry.oid, bytes: result.bytes, writebacks: result.applied });
  }
  return { edited, refused };
}

/** The commit object, signed when the team asks; a machine with no git identity (an agent's box) still gets one. */
async function commitTree(repo: Repo, tree: string, head: string, message: string, hostname: string): Promise<string> {
  const sign = (await shouldSign(repo)) ? { args: ['-S'], timeoutMs: SIGNING_TIMEOUT_MS } : { args: [] };
  const run = (env: Record<string, string> = {}) =>
    git(repo.top, ['commit-tree', tree, '-p', head, ...sign.args, '-F', '-'], {
      input: message,
      env,
      ...(sign.timeoutMs ? { timeoutMs: sign.timeoutMs } : {}),
    });
  const out = await run().catch((error: unknown) => {
    const noIdentity = error instanceof GitError && /identity|tell me who you are|empty ident|user\.email/i.test(error.stderr);
    if (noIdentity) return run(FALLBACK_IDENTITY(hostname));
    throw error;
  });
  return out.trim();
}

/** Brings the working copy along once the branch and index have moved; a test passes one that fails, as a kill would. */
export interface WorkingCopy {
  /** `hidden`: files whose index entry has skip-worktree set, whose working copy is git's to leave alone. */
  update(repo: Repo, prepared: PreparedCommit, hidden: ReadonlySet<string>): Promise<void>;
}

/**
 * The landing's record, in the git dir from before the branch moves until the working copy has
 * followed. A run killed in between leaves HEAD and the index at the writeback commit and the
 * files at the parent, which would read as an edit reverting every status; the next run finds
 * the record and finishes the job (finishInterruptedLanding). Moving the branch and the files
 * in one step is impossible, so the order is made recoverable instead.
 */
const landingRecord = (repo: Repo) => path.join(repo.gitDir, 'custodian-hooks', 'landing.json');

interface LandingRecord {
  branchRef: string;
  prepared: PreparedCommit;
}

/** Each file's working copy as git would store it (checkout filters undone), or null where it is gone. */
async function workingBlobs(repo: Repo, files: readonly PreparedFile[]): Promise<(string | null)[]> {
  const present = files.filter((f) => existsSync(path.join(repo.top, f.path)));
  const out = present.length === 0 ? '' : await git(repo.top, ['--literal-pathspecs', 'hash-object', '--', ...present.map((f) => f.path)]);
  const hashes = new Map(present.map((f, i) => [f.path, out.split('\n')[i] ?? null]));
  return files.map((f) => hashes.get(f.path) ?? null);
}

/** Writes the index's version of these files out, through git's own checkout filters. */
async function checkout(repo: Repo, files: readonly PreparedFile[]): Promise<void> {
  if (files.length === 0) return;
  await git(repo.top, ['checkout-index', '-f', '-u', '-z', '--stdin'], { input: files.map((f) => `${f.path}\0`).join('') });
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const temp = `${file}.custodian-${process.pid}.tmp`;
  const { mode } = await stat(file);
  try {
    await writeFile(temp, bytes);
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** git's id for a blob of exactly `bytes`, in the object format of `like` (a SHA-256 id is 64 digits). */
function blobId(bytes: Buffer, like: string): string {
  return createHash(like.length === 64 ? 'sha256' : 'sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}

/**
 * The working copy's own bytes with the status edits, where git would store them as the commit's
 * blob: its line endings (`text=auto`, `core.autocrlf`) and what a clean filter keeps out of git
 * stay as they were. Null where they would not: then git checks the blob out. Checked out always,
 * every line ending of a CRLF copy was rewritten, and a filter's private text was lost.
 */
async function ownBytesEdited(repo: Repo, file: PreparedFile): Promise<Buffer | null> {
  const edited = editBytes(await readFile(path.join(repo.top, file.path)), file.writebacks);
  if (edited.refused.length > 0) return null;
  if (blobId(edited.bytes, file.blob) === file.blob) return edited.bytes;
  // Bytes that differ from the blob's: as git would store them, through the path's attributes.
  const stored = await git(repo.top, ['hash-object', `--path=${file.path}`, '--stdin'], { input: edited.bytes }).catch(() => '');
  return stored.trim() === file.blob ? edited.bytes : null;
}

/**
 * The working copy of each edited file: one still at the parent's blob gets the status edits on
 * its own bytes where that gives the commit's blob, and is written out from the index otherwise;
 * one changed meanwhile gets the same edits on its own bytes, so nothing else in it is lost.
 */
const workingCopy: WorkingCopy = {
  async update(repo, prepared, hidden) {
    const current = await workingBlobs(repo, prepared.files);
    const shown = (file: PreparedFile) => !hidden.has(file.path);
    const failures: string[] = [];
    const untouched: PreparedFile[] = [];
    for (const file of prepared.files.filter((f, i) => current[i] === f.before && shown(f))) {
      const own = await ownBytesEdited(repo, file).catch(() => null);
      const written =
        own !== null &&
        (await writeAtomically(path.join(repo.top, file.path), own).then(
          () => true,
          () => false,
        ));
      if (!written) untouched.push(file);
    }
    for (const [i, file] of prepared.files.entries()) {
      if (current[i] === null || current[i] === file.before || current[i] === file.blob || !shown(file)) continue;
      const absolute = path.join(repo.top, file.path);
      try {
        const result = editBytes(await readFile(absolute), file.writebacks);
        if (result.refused.length > 0) throw new Error(result.refused[0]!.reason);
        await writeAtomically(absolute, result.bytes);
      } catch (error) {
        failures.push(`${file.path}: ${messageOf(error)}`);
      }
    }
    await checkout(repo, untouched);
    await git(repo.top, ['update-index', '-q', '--refresh']).catch(() => undefined);
    if (failures.length > 0) throw new Error(`committed, but could not update the working copy of ${failures.join('; ')}`);
  },
};

/** A landing that failed, saying exactly whether the branch had already moved to the writeback commit. */
export class LandingError extends Error {
  constructor(
    message: string,
    readonly branchMoved: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'LandingError';
  }
}

/**
 * Moves the branch to the prepared commit, only if it is still where the run found it, and
 * brings the index entries and files of the edited workplans along. The index is locked the way
 * git locks it for the whole move, so a busy index (another git command) stops this before
 * anything changes, and the branch never moves without its index. The hook's deadline waits for
 * all of it (see critical-section.ts).
 */
export async function landWritebackCommit(repo: Repo, branchRef: string, prepared: PreparedCommit, files: WorkingCopy = workingCopy): Promise<void> {
  let branchMoved = false;
  try {
    await critical(async () => {
      const hidden = await moveBranch(repo, branchRef, prepared, () => {
        branchMoved = true;
      });
      await files.update(repo, prepared, hidden);
      await rm(landingRecord(repo), { force: true });
    });
  } catch (error) {
    throw new LandingError(messageOf(error), branchMoved, { cause: error });
  }
}

/** The index and the branch to the writeback commit, under git's own index lock; `moved` once the branch is there. */
async function moveBranch(repo: Repo, branchRef: string, prepared: PreparedCommit, moved: () => void): Promise<ReadonlySet<string>> {
  const index = path.join(repo.gitDir, 'index');
  const lock = await open(`${index}.lock`, 'wx').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new Error(`${index}.lock exists: another git process is running (or crashed and left it); nothing changed`);
    throw error;
  });
  const staged = `${index}.custodian-${process.pid}`;
  const record = landingRecord(repo);
  try {
    await copyFile(index, staged).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const hidden = await replaceIndexEntries(repo, prepared.files, { GIT_INDEX_FILE: staged });
    await mkdir(path.dirname(record), { recursive: true });
    await writeFile(`${record}.tmp`, JSON.stringify({ branchRef, prepared } satisfies LandingRecord));
    await rename(`${record}.tmp`, record);
    try {
      await git(repo.top, ['update-ref', '-m', 'custodian-hooks: sync task status from DB', branchRef, prepared.commit, prepared.parent]);
    } catch (error) {
      await rm(record, { force: true });
      throw error;
    }
    moved();
    await rename(staged, index);
    return hidden;
  } finally {
    await lock.close();
    await rm(`${index}.lock`, { force: true });
    await rm(staged, { force: true });
    // A git child that a Ctrl-C to the whole process group ended mid-write leaves its lock on our copy.
    await rm(`${staged}.lock`, { force: true });
  }
}

/**
 * Finishes a landing a kill interrupted (see landingRecord): when the branch is still at its
 * commit, the index entries and files still at the parent's blobs are brought to the commit's.
 * Anything else (the branch moved on, a file edited since) is left as the user made it.
 */
export async function finishInterruptedLanding(repo: Repo): Promise<void> {
  const record = landingRecord(repo);
  const text = await readFile(record, 'utf8').catch(() => null);
  if (text === null) return;
  let landing: LandingRecord;
  try {
    landing = JSON.parse(text) as LandingRecord;
  } catch {
    // Not a record this tool wrote whole (it is renamed into place): nothing to finish.
    await rm(record, { force: true });
    return;
  }
  const { branchRef, prepared } = landing;
  const branch = await git(repo.top, ['rev-parse', '-q', '--verify', branchRef]).then(
    (s) => s.trim(),
    () => null,
  );
  if (branch === prepared.commit) {
    const staged = await git(repo.top, ['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...prepared.files.map((f) => f.path)]);
    const stagedBlob = new Map(
      staged
        .split('\0')
        .filter(Boolean)
        .map((e) => [e.slice(e.indexOf('\t') + 1), e.split(' ')[1]]),
    );
    const stale = prepared.files.filter((f) => stagedBlob.get(f.path) === f.before);
    if (stale.length > 0) await replaceIndexEntries(repo, stale);
    const current = await workingBlobs(repo, prepared.files);
    // A file the user staged otherwise since is theirs: only an index entry now at the commit's blob is written out.
    const shown = await inWorkingTree(repo, prepared.files);
    const finished = prepared.files.filter((f, i) => current[i] === f.before && [f.before, f.blob].includes(stagedBlob.get(f.path) ?? '') && shown(f));
    await checkout(repo, finished);
  }
  await rm(record, { force: true });
}
