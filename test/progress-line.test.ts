import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProgress } from '../src/output/progress-line.js';

test('on a terminal the progress line rewrites itself in place and is wiped when the run ends', async () => {
  const written: string[] = [];
  let firstFrame: () => void = () => {};
  const shown = new Promise<void>((resolve) => {
    firstFrame = resolve;
  });
  const stop = startProgress(
    {
      isTTY: true,
      write: (text) => {
        written.push(text);
        firstFrame();
      },
    },
    'custodian-hooks check · acme/app: reconciling…',
    { delayMs: 0 },
  );
  // The progress timers are unref'd (they never hold a run open), so a timer of the test's own
  // keeps the event loop alive until the first frame: without it Node may find nothing to wait for.
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([
    shown,
    new Promise((_, reject) => {
      deadline = setTimeout(() => reject(new Error('no frame within 5 s')), 5000);
    }),
  ]);
  clearTimeout(deadline);
  stop();
  assert.ok(written[0]!.startsWith('\r\x1b[K⠋ custodian-hooks check · acme/app: reconciling… '), JSON.stringify(written[0]));
  assert.equal(written.at(-1), '\r\x1b[K', 'the line is cleared, so the report starts clean');
  const count = written.length;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(written.length, count, 'nothing is written once stopped');
});

test('on a pipe, a file or a hook there is no progress line at all', async () => {
  const written: string[] = [];
  const stop = startProgress({ isTTY: false, write: (text) => written.push(text) }, 'label', { delayMs: 0, everyMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  stop();
  assert.deepEqual(written, []);
});
