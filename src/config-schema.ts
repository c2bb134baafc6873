import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CONFIG_FILE } from './config-names.js';
import { UserError } from './errors.js';

/** `.custodian.yml` at the top of a repo: every key optional. */
const ConfigSchema = z
  .object({
    repo: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only').optional(),
    workplans: z.array(z.string().min(1)).min(1).optional(),
    exclude: z.array(z.string().min(1)).optional(),
    branches: z.array(z.string().min(1)).min(1).optional(),
    writeback: z.boolean().optional(),
  })
  .strict();

export type RepoConfig = z.infer<typeof ConfigSchema>;

export function parseConfig(text: string): RepoConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new UserError(`${CONFIG_FILE}:${lineCounter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
  }
  const result = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
  const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const key = issue.path.join('.') || '(top level)';
  throw new UserError(`${CONFIG_FILE}:${line}: ${key}: ${issue.message}`);
}
