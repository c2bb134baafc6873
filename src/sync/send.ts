import { messageOf } from '../errors.js';
import { InvalidRequestError, type Hub, type RecordedPoint, type SyncBatch } from '../hub/types.js';
import { batchParts } from '../reconcile/batch-parts.js';

/**
 * What came of sending a batch: applied, with the ETag after it and whether the hub held nothing
 * but what this run read and sent (only then can the run settle); or refused for stale versions.
 */
export type Sent = { ok: true; etag: string; nothingElse: boolean } | { ok: false; ids: string[]; applied: string };

/**
 * Sends the batch in parts that fit a request (see `batchParts`). A part refused for stale
 * versions is a refused batch: the parts before it hold, and the re-read sees them. A hub that
 * fails between parts is thrown as a `PartialSync`. `applied` hears of each part the hub took.
 */
export async function sendInParts(
  hub: Hub,
  batch: SyncBatch,
  basis: string,
  options: { partBytes?: number | undefined; applied?: (part: SyncBatch, receipts: readonly RecordedPoint[], at: string | undefined) => void } = {},
): Promise<Sent> {
  if (batch.changes.length === 0 && !batch.run && !batch.rewrites?.length && !batch.layouts?.length) return { ok: true, etag: basis, nothingElse: true };
  const parts = batchParts(batch, options.partBytes);
  let etag = basis;
  let nothingElse = true;
  for (const [at, part] of parts.entries()) {
    const result = await hub.sync(part).catch((error: unknown) => {
      throw at === 0 ? error : new PartialSync(at, parts.length, error);
    });
    if (!result.ok) {
      const applied = at === 0 ? 'nothing written' : `${at} of ${parts.length} parts of the batch applied, nothing written back`;
      return { ok: false, ids: result.conflicts.map((c) => c.id), applied };
    }
    options.applied?.(part, result.points, result.at);
    nothingElse &&= result.basis === etag;
    etag = result.etag;
  }
  return { ok: true, etag, nothingElse };
}

/** A hub that failed after some parts of a batch were applied. */
class PartialSync extends Error {
  constructor(
    readonly applied: number,
    readonly of: number,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}

/** Why a batch was not (wholly) written: a hub that did not answer, or one that refused the request as it was. */
export function hubFailure(error: unknown): string {
  const cause = error instanceof PartialSync ? error.cause : error;
  const partly =
    error instanceof PartialSync
      ? `${error.applied} of ${error.of} parts of the batch applied, the rest and any writeback wait for the next run`
      : 'nothing written';
  if (cause instanceof InvalidRequestError) return `hub refused the batch, ${partly}: ${messageOf(cause)}`;
  return `hub unreachable, ${partly}: ${messageOf(cause)}`;
}
