import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ancestryAmong } from '../src/git/facts.js';
import { git } from '../src/git/run.js';
import { openRepo } from '../src/repo.js';
import { tempRepo } from './helpers/temp-repo.js';

/** Each commit picks up to three parents among the earlier ones; with none it is a root, so some pairs share no history. */
const dag = fc.array(fc.record({ parents: fc.uniqueArray(fc.nat(), { maxLength: 3 }), time: fc.integer({ min: 1_600_000_000, max: 1_700_000_000 }) }), {
  minLength: 1,
  maxLength: 40,
});

/** Commit i's parents: picks among the commits before it (the first commit is a root). */
const parentsAmong = (picks: number[], i: number) => (i === 0 ? [] : [...new Set(picks.map((p) => p % i))]);

/** Builds the graph in one `git fast-import`, with committer dates in any order (clocks skew); each message differs, so each commit does. */
async function build(dir: string, commits: { parents: number[]; time: number }[]): Promise<string[]> {
  const script = commits
    .map(({ parents, time }, i) => {
      const [first, ...rest] = parentsAmong(parents, i).map((p) => `:${p + 1}`);
      return [
        `commit refs/heads/c${i}`,
        `mark :${i + 1}`,
        `committer T <t@example.com> ${time} +0000`,
        `data ${String(i).length}`,
        String(i),
        ...(first ? [`from ${first}`] : []),
        ...rest.map((m) => `merge ${m}`),
        '',
      ].join('\n');
    })
    .join('\n');
  const marks = path.join(dir, '.git', 'marks');
  await git(dir, ['fast-import', '--quiet', `--export-marks=${marks}`], { input: `${script}\n` });
  const ids = new Map(
    (await readFile(marks, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.slice(1).split(' ') as [string, string]),
  );
  return commits.map((_, i) => ids.get(String(i + 1))!);
}

test('ancestry among any commits of a graph, whatever order their clocks put them in, and whether the walk met a merge', async (t) => {
  await fc.assert(
    fc.asyncProperty(dag, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), async (commits, picks) => {
      const dir = await tempRepo(t);
      const ids = await build(dir, commits);
      const parentsOf = commits.map(({ parents }, i) => parentsAmong(parents, i));
      const reaches = (from: number, to: number): boolean => from === to || parentsOf[from]!.some((p) => reaches(p, to));
      const chosen = [...new Set(picks.map((p) => p % commits.length))];
      const { ancestry, linear } = await ancestryAmong(
        await openRepo(dir),
        chosen.map((i) => ids[i]!),
      );
      if (parentsOf.every((parents) => parents.length <= 1)) assert.ok(linear, 'a graph without merges walks as lines');
      for (const a of chosen) {
        for (const d of chosen)
          assert.equal(ancestry(ids[a]!, ids[d]!), reaches(d, a) ? 'yes' : 'no', `is ${a} an ancestor of ${d}? parents: ${JSON.stringify(parentsOf)}`);
      }
      assert.equal(ancestry('f'.repeat(40), ids[chosen[0]!]!), 'unknown', 'a commit it was not asked about');
    }),
    { numRuns: 40 },
  );
});

test('a walk that holds a merge is not linear, nor one git cannot make', async (t) => {
  // 0 ← 1 ← 3 (merge of 1 and 2), 0 ← 2; 3 ← 4.
  const dir = await tempRepo(t);
  const [c0, c1, c2, c3, c4] = await build(dir, [
    { parents: [], time: 1_600_000_000 },
    { parents: [0], time: 1_600_000_001 },
    { parents: [0], time: 1_600_000_002 },
    { parents: [1, 2], time: 1_600_000_003 },
    { parents: [3], time: 1_600_000_004 },
  ]);
  const repo = await openRepo(dir);
  assert.equal((await ancestryAmong(repo, [c4!, c1!])).linear, false, 'from 4 down to 1 passes the merge');
  assert.equal((await ancestryAmong(repo, [c4!, c3!])).linear, false, 'the walk holds 3, a merge');
  assert.equal((await ancestryAmong(repo, [c4!])).linear, true, 'one commit alone: nothing below it is read');
  assert.equal((await ancestryAmong(repo, [c1!, c0!])).linear, true);
  assert.equal((await ancestryAmong(repo, [c2!, 'f'.repeat(40)])).linear, false, 'git cannot walk from a commit it lacks');
});
