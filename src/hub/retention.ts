/**
 * Which records the hub keeps (DESIGN.md, "Rules v2", principle 4): every record younger than
 * `maxAgeMs`, and at least the newest `points` per task, `runs` and `rewrites` per repo. A record
 * is dropped only when it is both past the count and older than the age; `maxAgeMs` 0 means age
 * protects nothing. Whatever is dropped, the hub says so (HubTask.droppedThrough, RepoState.runsDropped).
 */
export interface Retention {
  points: number;
  runs: number;
  rewrites: number;
  maxAgeMs: number;
}

/** `--keep-days` counts in days. */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Eight points and sixteen runs are what v1 kept (the model fails with far fewer); a month covers a clone on holiday. */
export const DEFAULT_RETENTION: Readonly<Retention> = { points: 8, runs: 16, rewrites: 512, maxAgeMs: 30 * DAY_MS };

/**
 * The merge driver's points (DriverPoint) a repo keeps on the hub, and a clone in its own copy, of
 * those younger than the age: a batch carries at most this many.
 */
export const DRIVER_POINTS_KEPT = 256;

/** `given` over the defaults; a count below 1 or a negative or non-finite age is refused, naming the field. */
export function retentionFrom(given: Partial<Retention> = {}): Retention {
  const retention = { ...DEFAULT_RETENTION, ...given };
  for (const name of ['points', 'runs', 'rewrites'] as const) {
    const value = retention[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`retention: ${name} must be a whole number of at least 1, not ${value}`);
  }
  if (!Number.isFinite(retention.maxAgeMs) || retention.maxAgeMs < 0) {
    throw new RangeError(`retention: maxAgeMs must be a number of milliseconds of at least 0, not ${retention.maxAgeMs}`);
  }
  return retention;
}
