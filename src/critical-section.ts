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
}

const sections = (): Sections => {
  const holder = globalThis as { [KEY]?: Sections };
  holder[KEY] ??= { open: 0, ended: [] };
  return holder[KEY];
};

export async function critical<T>(work: () => Promise<T>): Promise<T> {
  const s = sections();
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
