import { statSync } from 'node:fs';
import path from 'node:path';
import { GitError, gitProcess } from './run.js';

/** An object as git stores it: its id, its type and its bytes. */
export interface GitObject {
  oid: string;
  type: string;
  bytes: Buffer;
}

interface Request {
  name: string;
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

const ARGS = ['cat-file', '--batch'] as const;
/** A reader nobody asked anything of for this long ends: the next request starts another. */
const IDLE_MS = 1000;

/**
 * One `git cat-file --batch` answering a run's object reads in turn, instead of a process for every
 * question (a process costs a hook more than the read itself). It never holds the event loop open
 * while idle, and ends after IDLE_MS without requests or when git fails.
 */
class ObjectReader {
  private readonly child;
  private readonly waiting: Request[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the first waiting answer needs before it can be read. */
  private needed = 0;
  private stderr = '';
  private idle: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    cwd: string,
    private readonly onEnd: () => void,
  ) {
    this.child = gitProcess(cwd, ARGS);
    this.child.stdout.on('data', (chunk: Buffer) => this.take(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4096);
    });
    this.child.on('error', (error) => this.end(error));
    this.child.on('close', (code) => this.end(new GitError(ARGS, code ?? undefined, this.stderr)));
    this.child.stdin.on('error', () => {});
    this.hold(false);
  }

  read(name: string): Promise<GitObject | null> {
    if (this.ended) return Promise.reject(new GitError(ARGS, undefined, 'the object reader has ended'));
    clearTimeout(this.idle);
    this.hold(true);
    return new Promise((resolve, reject) => {
      this.waiting.push({ name, resolve, reject });
      this.child.stdin.write(`${name}\n`);
    });
  }

  /** Consumes what git wrote: each answer is `<oid> <type> <size>\n<bytes>\n`, or `<name> missing\n`. */
  private take(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.waiting.length > 0 && this.buffered >= this.needed) {
      const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [data];
      const headerEnd = data.indexOf(10);
      const header = headerEnd === -1 ? [] : data.toString('utf8', 0, headerEnd).split(' ');
      const found = header.length === 3;
      const size = found ? Number(header[2]) : 0;
      const answer = headerEnd === -1 ? this.buffered + 1 : headerEnd + 1 + (found ? size + 1 : 0);
      // A large object arrives in many chunks: they are joined once all of it is here.
      this.needed = answer;
      if (this.buffered < answer) return;
      this.needed = 0;
      this.waiting
        .shift()!
        .resolve(found ? { oid: header[0]!, type: header[1]!, bytes: Buffer.from(data.subarray(headerEnd + 1, headerEnd + 1 + size)) } : null);
      this.chunks = [data.subarray(answer)];
      this.buffered -= answer;
      if (this.waiting.length === 0) this.rest();
    }
  }

  private rest(): void {
    this.hold(false);
    this.idle = setTimeout(() => {
      // Retired before its stdin ends: a request from now on starts another reader.
      this.end(new GitError(ARGS, undefined, 'the object reader has ended'));
      this.child.stdin.end();
    }, IDLE_MS).unref();
  }

  /** Keeps the event loop open only while an answer is awaited. */
  private hold(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as { ref(): void; unref(): void }[]) {
      if (on) handle.ref();
      else handle.unref();
    }
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idle);
    this.onEnd();
    for (const request of this.waiting.splice(0)) request.reject(error);
  }
}

const readers = new Map<string, ObjectReader>();

/**
 * Which repository is at `cwd` now: its path and its `.git`'s inode and birth. A repository
 * deleted and made again at the same path (a clone re-made) is another one, whose reader must not
 * answer from the old one's objects.
 */
function readerKey(cwd: string): string {
  try {
    const made = statSync(path.join(cwd, '.git'));
    // Inodes are reused at once (ext4); where a filesystem keeps no birth time, the change time.
    return `${cwd}\0${made.ino}\0${made.birthtimeMs || made.ctimeMs}`;
  } catch {
    return cwd;
  }
}

/**
 * The object `name` names in the repository at `cwd` (an id, or a revision such as `HEAD^{tree}`),
 * or null when git does not have it. Never a `rev:path`: requests are one a line, and a path may
 * hold a newline (trees are walked instead).
 */
export function readObject(cwd: string, name: string): Promise<GitObject | null> {
  if (/[\n\r]/.test(name)) return Promise.reject(new Error(`not an object name: ${JSON.stringify(name)}`));
  const key = readerKey(cwd);
  let reader = readers.get(key);
  if (!reader) {
    const made = new ObjectReader(cwd, () => readers.get(key) === made && readers.delete(key));
    readers.set(key, made);
    reader = made;
  }
  return reader.read(name);
}
