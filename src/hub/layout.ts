import { createHash } from 'node:crypto';
import type { Layout } from './types.js';

/** The longest file path a layout names: what paths are allowed to be. */
export const LAYOUT_PATH_MAX = 4096;
/** The most ids one layout holds (the contract's limit). */
export const LAYOUT_IDS_MAX = 100_000;
/** The most JSON one layout is sent as: a part of a batch alone, well inside the 4 MiB a request may carry. */
export const LAYOUT_BYTES_MAX = 3 * 1024 * 1024;
/** The most layouts one request carries. */
export const LAYOUTS_PER_REQUEST = 10_000;

/** A layout's fingerprint, the same on both sides: a clone compares it with the hub's instead of sending every layout on every run. */
export function layoutDigest({ workplan, ids }: Pick<Layout, 'workplan' | 'ids'>): string {
  const hash = createHash('sha256');
  // Neither ids nor workplan ids hold a NUL (the contract refuses it): NUL-separated, two different layouts cannot collide.
  hash.update(workplan === null ? '\0' : `${workplan}\0\0`);
  for (const id of ids) hash.update(id).update('\0');
  return hash.digest('base64url').slice(0, 22);
}
