import { LineCounter, parseDocument } from 'yaml';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { CONFIG_FILE } from './config-names.js';
import { UserError } from './errors.js';
import { isSlug } from './repo-slug.js';
import { yamlReason } from './yaml-reason.js';

// zod's small build: a hook in a repo with a config loads 40 KB of validator, not 750 KB. It
// carries no messages until given a locale.
z.config(en());

const nonEmpty = () => z.string().check(z.minLength(1));
/**
 * Globs and branch names a list may hold: every hook compiles them, and 300,000 globs made each
 * run take 16 s. A team's plans are found by a handful.
 */
export const MAX_LIST_ITEMS = 1000;
const list = () => z.array(nonEmpty()).check(z.maxLength(MAX_LIST_ITEMS));

/** `.custodian.yml` at the top of a repo: every key optional. */
const ConfigSchema = z.strictObject({
  repo: z.optional(z.string().check(z.refine(isSlug, 'a name or owner/name: letters, digits, ".", "_" and "-", at most 200 characters'))),
  workplans: z.optional(list().check(z.minLength(1))),
  exclude: z.optional(list()),
  branches: z.optional(list().check(z.minLength(1))),
  writeback: z.optional(z.boolean()),
  /** The team's hub: an http(s):// URL, shared with the repo; CUSTODIAN_HUB overrides it. */
  hub: z.optional(nonEmpty()),
  /** The team's rules for commits, applied to the writeback commit. */
  commit: z.optional(
    z.strictObject({
      /** Appended to the subject line, as `[skip ci]`. */
      suffix: z.optional(z.string().check(z.regex(/^[^\n\r]+$/, 'one line of text'))),
      trailers: z.optional(z.array(z.string().check(z.regex(/^[A-Za-z0-9-]+: [^\n\r]+$/, 'a trailer such as "Signed-off-by: Name <email>"')))),
      /** true: always sign; auto: sign when git's commit.gpgsign is set; false (default): unsigned. */
      sign: z.optional(z.union([z.boolean(), z.literal('auto')])),
    }),
  ),
});

export type RepoConfig = z.infer<typeof ConfigSchema>;

export function parseConfig(text: string): RepoConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new UserError(`${CONFIG_FILE}:${lineCounter.linePos(error.pos[0]).line}: ${yamlReason(error.message)}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // yaml refuses to expand more than 100 aliases: a configuration error like any other, not a crash.
    throw new UserError(`${CONFIG_FILE}:1: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const result = ConfigSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
  const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const key = issue.path.join('.') || '(top level)';
  throw new UserError(`${CONFIG_FILE}:${line}: ${key}: ${issue.message}`);
}
