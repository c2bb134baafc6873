import { COMMIT_ID } from '../git/commit-id.js';
import * as z from 'zod/mini';
import { isSlug } from '../repo-slug.js';
import { STATUSES } from '../status.js';
import { isHubTime } from './hub-time.js';

/**
 * What a hub may answer, as `openapi.yaml` documents it. The HTTP client checks every answer
 * against these before anything of it reaches the reconciler: a status goes into files and
 * commit messages, so a hub (or a man in the middle) must not get anything else there. zod/mini,
 * because the hooks load this on every pull and push.
 */

/** An id is matched against files and named in commit messages: valid Unicode, no NUL. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (value: string) => !LONE_SURROGATE.test(value) && !value.includes('\0');
const text = z.string();

const status = z.enum(STATUSES as [(typeof STATUSES)[number], ...(typeof STATUSES)[number][]]);
const sha = z.string().check(z.regex(COMMIT_ID, 'a full commit id'));
const taskId = z.string().check(z.minLength(1), z.maxLength(200), z.refine(wellFormed, 'not valid Unicode text'));
const slug = z.string().check(z.refine(isSlug, 'a repo slug'));
/** Sent back as `If-None-Match` and kept in the hook state: one short token of visible ASCII. */
const etag = z.string().check(z.regex(/^[\x21-\x7e]{1,200}$/, 'an ETag'));
const count = z.int().check(z.nonnegative());
/** A time the rules compare as text: only the hub's own form orders (see isHubTime). */
const hubTime = z.string().check(z.refine(isHubTime, 'a time as the hub writes it'));

const syncPoint = z.object({
  status,
  commit: sha,
  upstream: z.nullable(sha),
  origin: sha,
  at: text,
  seq: count,
  statusVersion: z.nullable(count),
  restates: z.optional(hubTime),
});

export const hubTask = z.object({
  id: taskId,
  workplan: z.nullable(text),
  title: text,
  priority: z.nullable(text),
  status,
  hubId: text.check(z.minLength(1)),
  version: z.int().check(z.positive()),
  statusVersion: count,
  droppedThrough: z.nullable(count),
  updatedAt: text,
  updatedBy: text,
  points: z.array(syncPoint),
});

export const repoState = z.object({
  repo: slug,
  etag,
  tasks: z.array(hubTask),
  runs: z.array(z.object({ commit: sha, upstream: z.nullable(sha), machine: text, skipped: z.array(taskId), at: text })),
  rewrites: z.array(z.object({ old: sha, new: sha, changed: z.array(taskId) })),
  runsDropped: z.boolean(),
  layouts: z.optional(z.record(text, text)),
  origin: z.optional(text),
  driverPoints: z.optional(z.array(z.object({ id: taskId, status, statusVersion: count, parent: sha, theirs: sha, at: hubTime }))),
  restatements: z.optional(z.literal(true)),
});

export const syncAccepted = z.object({
  ok: z.literal(true),
  etag,
  basis: etag,
  versions: z.record(taskId, z.int().check(z.positive())),
  points: z.array(z.object({ id: taskId, seq: count, statusVersion: count })),
  at: z.optional(z.iso.datetime()),
});
export const syncRefused = z.object({
  ok: z.literal(false),
  conflicts: z.array(z.object({ id: taskId, expectedVersion: count, current: z.nullable(hubTask) })),
});

export const statusRefused = z.object({ current: hubTask });

export const history = z.array(z.object({ taskId, from: z.nullable(status), to: status, by: text, why: z.nullable(text), at: text }));

export const repoSummaries = z.array(z.object({ slug, tasks: count, revision: count }));
