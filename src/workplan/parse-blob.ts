import { parseWorkplan, type Workplan } from './parse.js';

/** How many parsed blobs are kept: a hook's run reads a handful, a trace a few more. */
const KEEP = 64;
const recent = new Map<string, Workplan>();

/**
 * A workplan blob parsed, once a process: one run reads the same blob more than once (what the
 * pull brought is often the very commit a status value is traced to, and its parent the settled
 * one). Parsed workplans are never changed by their readers.
 */
export function parseBlob(oid: string, text: string, file: string): Workplan {
  const key = `${oid}\0${file}`;
  let workplan = recent.get(key);
  if (!workplan) {
    workplan = parseWorkplan(text, file);
    recent.set(key, workplan);
    if (recent.size > KEEP) recent.delete(recent.keys().next().value!);
  }
  return workplan;
}
