import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ancestryAmong } from '../src/git-facts.js';
import { git } from '../src/git.js';
import { openRepo } from '../src/repo.js';
import { tempRepo } from './helpers/temp-repo.js';

/** Each commit picks up to three parents among the earlier ones; with none it is a root, so some pairs share no history. */
const dag = fc.array(fc.record({ parents: fc.uniqueArray(fc.nat(), { maxLength: 3 }), time: fc.integer({ min: 1_600_000_000, max: 1_700_000_000 }) }), { minLength: 1, maxLength: 40 });

/** Commit i's parents: picks among the commits before it (the first commit is a root). */
const parentsAmong = (picks: number[], i: number) => (i === 0 ? [] : [...new Set(picks.map((p) => p % i))]);

/** Builds the graph in one `git fast-import`, with committer dates in any order (clocks skew); each message differs, so each commit does. */
async function build(dir: string, commits: { parents: number[]; time: number }[]): Promise<string[]> {
  const script = commits
    .map(({ parents, time }, i) => {
      const [first, ...rest] = parentsAmong(parents, i).map((p) => `:${p + 1}`);
      return [`commit refs/heads/c${i}`, `mark :${i + 1}`, `committer T <t@example.com> ${time} +0000`, `data ${String(i).length}`, String(i), ...(first ? [`from ${first}`] : []), ...rest.map((m) => `merge ${m}`), ''].join('\n');
    })
    .join('\n');
  const marks = path.join(dir, '.git', 'marks');
  await git(dir, ['fast-import', '--quiet', `--export-marks=${marks}`], { input: `${script}\n` });
  const ids = new Map((await readFile(marks, 'utf8')).trim().split('\n').map((line) => line.slice(1).split(' ') as [string, string]));
  return commits.map((_, i) => ids.get(String(i + 1))!);
}

test('ancestry among any commits of a graph, whatever order their clocks put them in', async (t) => {
  await fc.assert(
    fc.asyncProperty(dag, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), async (commits, picks) => {
      const dir = await tempRepo(t);
      const ids = await build(dir, commits);
      const parentsOf = commits.map(({ parents }, i) => parentsAmong(parents, i));
      const reaches = (from: number, to: number): boolean => from === to || parentsOf[from]!.some((p) => reaches(p, to));
      const chosen = [...new Set(picks.map((p) => p % commits.length))];
      const ancestry = await ancestryAmong(await openRepo(dir), chosen.map((i) => ids[i]!));
      for (const a of chosen) {
        for (const d of chosen) assert.equal(ancestry(ids[a]!, ids[d]!), reaches(d, a) ? 'yes' : 'no', `is ${a} an ancestor of ${d}? parents: ${JSON.stringify(parentsOf)}`);
      }
      assert.equal(ancestry('f'.repeat(40), ids[chosen[0]!]!), 'unknown', 'a commit it was not asked about');
    }),
    { numRuns: 40 },
  );
});
