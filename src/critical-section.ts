import { constants } from 'node:os';

/**
 * Work that must not be cut off halfway: the writeback's landing, between taking git's index lock
 * and moving the branch with its index. The hook's deadline (see giveUpAfter) waits for it to end
 * instead of exiting inside it, which would leave the lock behind, or a branch that a slow git
 * moves after the process is gone while the index stays behind for the user's next commit.
 *
 * The entry point and the full hook are separate bundles, each with its own copy of this module:
 * the count lives on the process (a registered symbol), so both see the same one.
 */
const KEY = Symbol.for('custodian-hooks.critical-sections');

interface Sections {
  open: number;
  ended: (() => void)[];
  signalsHeld: boolean;
}

const sections = (): Sections => {
  const holder = globalThis as { [KEY]?: Sections };
  holder[KEY] ??= { open: 0, ended: [], signalsHeld: false };
  return holder[KEY];
};

export async function critical<T>(work: () => Promise<T>): Promise<T> {
  const s = sections();
  if (!s.signalsHeld) holdSignals();
  s.signalsHeld = true;
  s.open++;
  try {
    return await work();
  } finally {
    s.open--;
    if (s.open === 0) for (const resolve of s.ended.splice(0)) resolve();
  }
}

/** Resolves once no critical section is open, at once when none is. */
export function criticalSectionsEnded(): Promise<void> {
  const s = sections();
  return s.open === 0 ? Promise.resolve() : new Promise((resolve) => s.ended.push(resolve));
}

/** How long a signal waits for a landing under way, as the hook's deadline does. */
export const LANDING_GRACE_MS = 10_000;

/**
 * Ctrl-C, a terminal closed or a kill during a landing lets it finish first (up to
 * LANDING_GRACE_MS), then ends the process with the signal's exit status, as git's own commands
 * keep their lock files whole; outside one, the signal ends the process at once. Taken up by the
 * first landing a process makes: a process that never lands (the hub) keeps its own handling.
 */
function holdSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // As a shell reports a process a signal ended; exit listeners (the run lock's) still run.
    const stop = () => process.exit(128 + constants.signals[signal]);
    const onSignal = () => {
      process.off(signal, onSignal);
      // A second signal while waiting ends the process at once.
      process.once(signal, stop);
      if (sections().open === 0) return stop();
      process.stderr.write('custodian-hooks: finishing the writeback under way, then stopping\n');
      setTimeout(stop, LANDING_GRACE_MS).unref();
      void criticalSectionsEnded().then(stop);
    };
    process.on(signal, onSignal);
  }
}
