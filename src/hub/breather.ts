import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * A function to await now and then inside long work: it lets the event loop turn (other requests,
 * health checks) once the work has held the thread `everyMs` since the last turn, and costs
 * nothing otherwise.
 */
export function breather(everyMs = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await nextTurn();
    last = performance.now();
  };
}
