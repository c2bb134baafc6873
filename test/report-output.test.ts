import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport, type Report } from '../src/output/report.js';
import { runCli } from './helpers/cli.js';
import { parseReport, scene } from './helpers/scene.js';

/** The first run over `n` tasks in one workplan: every task created in the hub, each reported as C-20. */
function firstRun(n: number): Report {
  const ids = Array.from({ length: n }, (_, i) => `T${i}`);
  return {
    repo: 'acme',
    mode: 'fix',
    workplans: [{ file: 'docs/plan.md', tasks: ids.map((id, i) => ({ id, status: 'todo', title: id, line: i + 1 })) }],
    actions: ids.map((taskId) => ({ type: 'create', taskId, status: 'todo' })),
    findings: ids.map((taskId, i) => ({ code: 'C-20', severity: 'INFO', file: 'docs/plan.md', line: i + 1, taskId, message: `created ${taskId}` })),
  };
}

test('a run over 10,000 tasks prints a screen: the first few of each kind and a count of the rest; --verbose prints all', () => {
  const lines = formatReport(firstRun(10_000), false).trimEnd().split('\n');
  // A header, three of each kind with a count of the rest, and the totals.
  assert.equal(lines.length, 10, lines.join('\n'));
  assert.ok(lines.includes('  … and 9997 more create actions (--verbose or --json shows all)'), lines.join('\n'));
  assert.ok(lines.includes('  … and 9997 more C-20 findings (--verbose or --json shows all)'), lines.join('\n'));
  assert.equal(lines.at(-1), '0 fail, 0 warn, 10000 info, 10000 actions');
  assert.equal(formatReport(firstRun(50), true).trimEnd().split('\n').length, 1 + 1 + 50 + 50 + 50 + 1);
  // A few of them are shown one by one, as before.
  assert.equal(formatReport(firstRun(10), false).trimEnd().split('\n').length, 1 + 10 + 10 + 1);
});

test('FORCE_COLOR=0 turns colour off; a writeback commit says it waits to be pushed', async (t) => {
  const s = await scene(t, [{ id: 'A', status: 'todo' }]);
  const ws = s.workstation;
  assert.equal((await ws.run('--fix')).code, 0);
  assert.equal((await ws.cli('task', 'set', 'A', 'done')).code, 0);
  const colourless = { ...s.env, NO_COLOR: undefined, FORCE_COLOR: '0' };
  const fixed = await runCli(ws.dir, ['run', '--fix'], colourless);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.ok(!fixed.stdout.includes('\x1b['), JSON.stringify(fixed.stdout));
  assert.match(fixed.stdout, /✓ commit [0-9a-f]{10} \(docs\/plan\.md\), waiting to be pushed with your next git push\n/);
  const coloured = await runCli(ws.dir, ['run'], { ...colourless, FORCE_COLOR: '1' });
  assert.ok(coloured.stdout.includes('\x1b['), 'FORCE_COLOR=1 asks for colour');
  assert.equal(parseReport((await ws.run()).stdout).findings.length, 0);
});
