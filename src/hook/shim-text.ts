import { readFile } from 'node:fs/promises';
import { packageFile } from '../package-files.js';

/**
 * The `sh` scripts install writes (a hook's shim, the merge driver's): a template from the
 * package with its `@NAME@` placeholders filled, each value inside the template's double quotes.
 */
export async function shimText(template: string, values: Record<string, string>): Promise<string> {
  const quoted = (s: string) => s.replace(/["\\$`]/g, '\\$&');
  let text = await readFile(packageFile(template), 'utf8');
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`@${name}@`, quoted(value));
  return text;
}

/** A value a shim was written with (`node="…"`), unquoted. */
export const shimValue = (text: string, name: string) => new RegExp(`^${name}="(.*)"$`, 'm').exec(text)?.[1]?.replace(/\\(.)/g, '$1') ?? null;
