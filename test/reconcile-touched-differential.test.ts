import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { rememberSettled } from '../src/commands/settled.js';
import { hookWork } from '../src/hook/fast-path.js';
import { openStore } from '../src/hub/open.js';
import { reconcileRepo } from '../src/sync/reconcile-repo.js';
import type { ReconcileDeps } from '../src/sync/options.js';
import { openRepo } from '../src/repo.js';
import type { Report } from '../src/output/report.js';
import { STATUSES } from '../src/status.js';
import { scene } from './helpers/scene.js';
import { commitFiles } from './helpers/temp-repo.js';
import { workplan } from './helpers/workplan-text.js';

interface Entry {
  id: string;
  status: string;
  /** A block whose id line is gone: the parser rejects it. */
  broken?: boolean;
}
type Files = Map<string, Entry[]>;

const render = (entries: Entry[]) => entries.reduce((text, e) => (e.broken ? text.replace(`id: ${e.id}\n`, '') : text), workplan(entries));

const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), file: fc.nat(2), at: fc.nat(4), status: fc.constantFrom(...STATUSES) }),
  // Ids of tasks in other files, or new ones.
  fc.record({ kind: fc.constant('add' as const), file: fc.nat(2), id: fc.constantFrom('A', 'D', 'F', 'X', 'Y') }),
  fc.record({ kind: fc.constant('remove' as const), file: fc.nat(2), at: fc.nat(4) }),
  fc.record({ kind: fc.constant('break' as const), file: fc.nat(2), at: fc.nat(4) }),
  fc.record({ kind: fc.constant('rename' as const), file: fc.nat(2) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Applies one edit to the model; returns the files it wrote and removed. */
function apply(files: Files, o: Op, n: number): { written: string[]; removed: string[] } {
  const names = [...files.keys()];
  const name = names[o.file % names.length]!;
  const entries = files.get(name)!;
  const at = 'at' in o ? o.at % Math.max(1, entries.length) : 0;
  if (o.kind === 'rename') {
    const to = `docs/moved-${n}.md`;
    files.delete(name);
    files.set(to, entries);
    return { written: [to], removed: [name] };
  }
  if (o.kind === 'set' && entries[at]) entries[at] = { ...entries[at]!, status: o.status };
  if (o.kind === 'add') entries.push({ id: o.id, status: 'todo' });
  if (o.kind === 'remove') entries.splice(at, 1);
  if (o.kind === 'break' && entries[at]) entries[at] = { ...entries[at]!, broken: true };
  return { written: [name], removed: [] };
}

const findingsOf = (report: Report) => report.findings.map((f) => JSON.stringify(f)).sort();

test('a run told which workplans changed decides for them what a full run decides', { timeout: 10 * 60_000 }, async (t) => {
  let touchedRuns = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), fc.boolean(), async (commits, agentMoves) => {
      const s = await scene(t, [
        { id: 'A', status: 'todo' },
        { id: 'B', status: 'in_progress' },
        { id: 'C', status: 'done' },
      ]);
      try {
        const files: Files = new Map([
          [
            'docs/plan.md',
            [
              { id: 'A', status: 'todo' },
              { id: 'B', status: 'in_progress' },
              { id: 'C', status: 'done' },
            ],
          ],
          [
            'docs/two.md',
            [
              { id: 'D', status: 'todo' },
              { id: 'E', status: 'blocked' },
            ],
          ],
          [
            'docs/three.md',
            [
              { id: 'F', status: 'todo' },
              { id: 'G', status: 'done' },
            ],
          ],
        ]);
        const ws = s.workstation;
        await commitFiles(ws.dir, { 'docs/two.md': render(files.get('docs/two.md')!), 'docs/three.md': render(files.get('docs/three.md')!) }, 'more plans');
        const store = await openStore(s.env.CUSTODIAN_HUB!);
        try {
          const repo = await openRepo(ws.dir);
          const deps: ReconcileDeps = { hub: store, hostname: 'testhost', machine: 'tester@testhost' };
          const settled = await reconcileRepo(repo, { mode: 'fix', writeback: true, pull: false }, deps);
          assert.ok(settled.settled, 'the starting run settles');
          rememberSettled(repo, { location: store.location, kind: 'sqlite', source: 'CUSTODIAN_HUB' }, settled);

          let n = 0;
          for (const edits of commits) {
            const changed: Record<string, string> = {};
            for (const o of edits) {
              const { written, removed } = apply(files, o, ++n);
              for (const file of removed) {
                delete changed[file];
                await rm(path.join(ws.dir, file), { force: true });
                await ws.git('rm', '-q', '--cached', '--ignore-unmatch', file);
              }
              for (const file of written) changed[file] = render(files.get(file)!);
            }
            for (const [file, text] of Object.entries(changed)) await writeFile(path.join(ws.dir, file), text);
            await ws.git('add', '-A', 'docs');
            // An edit may leave everything as it was (breaking a broken block).
            if ((await ws.git('status', '--porcelain')).trim() !== '') await ws.git('commit', '-q', '-m', `edit ${n}`);
          }
          const work = await hookWork('post-merge', ws.dir, '', { CUSTODIAN_HUB: store.location });
          if (work.kind !== 'touched') return;
          // The hub may move after the hook looked: the run must notice and read everything.
          if (agentMoves) await store.setStatus({ repo: repo.slug, id: 'C', status: 'blocked', by: 'agent' });
          touchedRuns++;
          const check = { mode: 'check', writeback: true, pull: false, fetch: false } as const;
          const narrow = await reconcileRepo(repo, { ...check, scope: work.scope }, deps);
          const full = await reconcileRepo(repo, check, deps);
          const readAll = narrow.workplans.length === full.workplans.length;
          if (readAll) {
            // It found it had to read everything after all: then it is the full run.
            assert.deepEqual(findingsOf(narrow), findingsOf(full));
            return;
          }
          const touchedFiles = new Set(work.scope.files);
          assert.deepEqual(
            narrow.workplans,
            full.workplans.filter((w) => touchedFiles.has(w.file)),
          );
          // Every task id the touched files hold or held: what the narrow run answers for.
          const ids = new Set(narrow.findings.flatMap((f) => (f.taskId ? [f.taskId] : [])));
          for (const w of narrow.workplans) for (const task of w.tasks) ids.add(task.id);
          const aboutTouched = full.findings.filter((f) => (f.file && touchedFiles.has(f.file)) || (f.taskId && ids.has(f.taskId)) || (!f.file && !f.taskId));
          assert.deepEqual(findingsOf(narrow), aboutTouched.map((f) => JSON.stringify(f)).sort());
        } finally {
          await store.close();
        }
      } finally {
        await rm(s.root, { recursive: true, force: true });
      }
    }),
    {
      numRuns: 30,
      seed: 20261125,
      examples: [
        // A task of an untouched file copied into a touched one: a duplicate only a full read sees.
        [[[{ kind: 'add', file: 1, id: 'A' }]], false],
        // Renamed, then edited under its new name.
        [[[{ kind: 'rename', file: 0 }], [{ kind: 'break', file: 0, at: 0 }]], false],
        // A status changed while an agent changed another task in the hub.
        [[[{ kind: 'set', file: 0, at: 0, status: 'done' }]], true],
      ],
    },
  );
  assert.ok(touchedRuns >= 10, `the narrow run was taken in ${touchedRuns} of 33 cases`);
});
