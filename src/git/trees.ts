import { readObject } from './objects.js';
import { GitError } from './run.js';

/** A file in a tree: its mode as `ls-tree` writes it, and its blob's id. */
export interface TreeEntry {
  mode: string;
  oid: string;
}

const TREE_MODE = '40000';
const SUBMODULE_MODE = '160000';

/**
 * A commit object's header lines (above its message), a character a byte: an author's name in
 * another encoding is compared as git stored it. Null when git does not have the commit.
 */
async function commitHeader(cwd: string, commit: string): Promise<string[] | null> {
  const object = await readObject(cwd, commit);
  if (object?.type !== 'commit') return null;
  return object.bytes.toString('latin1', 0, Math.max(0, object.bytes.indexOf('\n\n'))).split('\n');
}

const parentsIn = (header: readonly string[]) => header.filter((line) => line.startsWith('parent ')).map((line) => line.slice('parent '.length));

/** A commit's parents as its object lists them; null when git does not have the commit. */
export async function commitParents(cwd: string, commit: string): Promise<string[] | null> {
  const header = await commitHeader(cwd, commit);
  return header && parentsIn(header);
}

/** A commit's tree, parents and author line (every one a forged object holds). */
export interface CommitShape {
  tree: string;
  parents: string[];
  author: string;
}

/** A commit's tree, parents and author line; null when git does not have the commit. */
export async function commitShape(cwd: string, commit: string): Promise<CommitShape | null> {
  const header = await commitHeader(cwd, commit);
  if (!header) return null;
  const tree = header.find((line) => line.startsWith('tree '))?.slice('tree '.length) ?? '';
  return { tree, parents: parentsIn(header), author: header.filter((line) => line.startsWith('author ')).join('\n') };
}

/** One text for a tree on its parents (as `git log --format='%T %P'` writes them): equal for the same tree on the same parents. */
export const shapeKey = ({ tree, parents }: Pick<CommitShape, 'tree' | 'parents'>) => [tree, ...parents].join(' ');

/**
 * Whether `b` is `a` made again. The same tree on the same parents by the same author line: one
 * change git copied (an amend of the message, a cherry-pick onto the same parent; git keeps the
 * author line). With another author line, maybe: a rewrite that reset it (`--reset-author`, a
 * `reset --soft` and a new commit), or another person's same edit on the same parent, which is a
 * change made twice (found by the soak, seed 92 path 114: c's done, set after b amended its done
 * back to todo, was read as a copy of b's done the hub had heard, and b wrote todo back over it).
 */
export function madeAgain(a: CommitShape, b: CommitShape): 'yes' | 'maybe' | 'no' {
  if (shapeKey(a) !== shapeKey(b)) return 'no';
  return a.author === b.author ? 'yes' : 'maybe';
}

/**
 * When a commit was committed (or, asked, authored), in ms since the epoch, by that header line;
 * null when git does not have the commit or the line holds no time a date can (a forged commit's
 * can be any number).
 */
export async function commitTime(cwd: string, commit: string, by: 'committer' | 'author' = 'committer'): Promise<number | null> {
  const line = (await commitHeader(cwd, commit))?.find((l) => l.startsWith(`${by} `));
  const seconds = line && / (\d+) [+-]\d{4}$/.exec(line)?.[1];
  const ms = Number(seconds) * 1000;
  return seconds && Number.isFinite(new Date(ms).getTime()) ? ms : null;
}

/**
 * The entry `name` of a tree object (`<mode> <name>\0<id as raw bytes>`, one after another), found
 * by comparing bytes: a folder of a thousand workplans is not decoded to look up one.
 */
function entryIn(tree: Buffer, name: Buffer, idBytes: number): TreeEntry | undefined {
  for (let at = 0; at < tree.length; ) {
    const space = tree.indexOf(0x20, at);
    const nul = tree.indexOf(0, space);
    if (nul - space - 1 === name.length && tree.compare(name, 0, name.length, space + 1, nul) === 0) {
      return { mode: tree.toString('latin1', at, space), oid: tree.toString('hex', nul + 1, nul + 1 + idBytes) };
    }
    at = nul + 1 + idBytes;
  }
  return undefined;
}

/**
 * The blobs at these paths in `rev`, by path, read from its trees through the run's object reader;
 * a path `rev` lacks (or holds as a folder or a submodule) is left out. Throws GitError when git
 * does not have `rev` or one of the trees on the way.
 */
export async function blobsAtPaths(cwd: string, rev: string, paths: readonly string[]): Promise<Map<string, TreeEntry>> {
  const found = new Map<string, TreeEntry>();
  if (paths.length === 0) return found;
  const trees = new Map<string, Promise<(name: string) => TreeEntry | undefined>>();
  const treeAt = (name: string) => {
    let tree = trees.get(name);
    if (!tree) {
      tree = readObject(cwd, name).then((object) => {
        if (object?.type !== 'tree') throw new GitError(['cat-file', '--batch'], undefined, `${name}: not a tree git has`);
        return (entry: string) => entryIn(object.bytes, Buffer.from(entry), object.oid.length / 2);
      });
      trees.set(name, tree);
    }
    return tree;
  };
  const root = `${rev}^{tree}`;
  // In path order, byte by byte, as `ls-tree` lists them.
  const ordered = [...new Set(paths)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries = await Promise.all(
    ordered.map(async (file): Promise<TreeEntry | undefined> => {
      const parts = file.split('/');
      let tree = await treeAt(root);
      for (const [i, part] of parts.entries()) {
        const entry = tree(part);
        if (!entry) return undefined;
        if (i === parts.length - 1) {
          return entry.mode === TREE_MODE || entry.mode === SUBMODULE_MODE ? undefined : { mode: entry.mode.padStart(6, '0'), oid: entry.oid };
        }
        if (entry.mode !== TREE_MODE) return undefined;
        tree = await treeAt(entry.oid);
      }
      return undefined;
    }),
  );
  for (const [i, entry] of entries.entries()) if (entry) found.set(ordered[i]!, entry);
  return found;
}
