import type { Finding } from '../findings.js';
import { git } from '../git/run.js';
import { lineEditDiff } from './line-diff.js';
import type { Writeback } from '../reconcile/types.js';
import { readBlobBytes, treeEntries, type Repo } from '../repo.js';
import { isStatus } from '../status.js';
import { editBytes } from './commit.js';

/**
 * The writebacks a check run found: every C-13 names a task whose hub status is kept and would be
 * written into its file (`expected`, the hub's) over the file's (`actual`).
 */
export function writebacksOf(findings: readonly Finding[]): Writeback[] {
  return findings.flatMap(({ code, taskId, file, line, expected: to, actual: from }) => {
    if (code !== 'C-13' || !taskId || !file || !line || !isStatus(to) || !isStatus(from)) return [];
    return [{ taskId, title: '', file, line, from, to }];
  });
}

/**
 * What a writeback of these tasks would change in the files committed at HEAD, as a unified diff
 * `git apply` takes; the same byte edit a fix run makes, and nothing is written anywhere.
 */
export async function writebackDiff(repo: Repo, writebacks: readonly Writeback[]): Promise<Buffer> {
  if (writebacks.length === 0) return Buffer.alloc(0);
  const byFile = new Map<string, Writeback[]>();
  for (const w of writebacks) byFile.get(w.file)?.push(w) ?? byFile.set(w.file, [w]);
  const head = (await git(repo.top, ['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  const files = [...byFile.keys()].sort();
  const entries = await treeEntries(repo, head, files);
  const blobs = await readBlobBytes(
    repo,
    [...entries.values()].map((e) => e.oid),
  );
  const parts: Buffer[] = [];
  for (const file of files) {
    const entry = entries.get(file);
    const before = entry && blobs.get(entry.oid);
    if (!before) continue;
    parts.push(lineEditDiff(file, before, editBytes(before, byFile.get(file)!).bytes));
  }
  return Buffer.concat(parts);
}
