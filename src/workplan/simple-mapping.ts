import type { Line } from './markdown.js';

/**
 * The shape nearly every task block and front matter has, read without a YAML parser: one
 * `key: value` a line at the left margin, each value a plain word or words, or a quoted string
 * with no escapes, an optional comment after it. A full parse of 10,000 blocks is most of the
 * first sync's time; this reads them at a fraction of it. Anything else (indentation, flow
 * collections, numbers, booleans, escapes, anchors, tags, repeated keys, non-ASCII) answers
 * null and goes to the YAML parser, so the few cases it reads are read exactly as YAML reads them
 * (a property test holds it to that).
 */
export interface SimpleValue {
  value: string;
  /** Offsets of the value in the text the lines were split from, quotes included. */
  start: number;
  end: number;
  style: 'plain' | 'double' | 'single';
}

// A plain value: words of letters, digits and `_-./`, starting with a letter (so never a number)
// and one space apart (so never ` #`, the start of a comment).
const PLAIN = String.raw`[A-Za-z][\w./-]*(?: [\w./-]+)*`;
const DOUBLE = String.raw`"[\x20\x21\x23-\x5b\x5d-\x7e]*"`;
const SINGLE = String.raw`'[\x20-\x26\x28-\x7e]*'`;
// YAML allows an implicit key of at most 1024 characters.
// A line's content has no terminator; a carriage return left in it is no character these allow.
const ENTRY = new RegExp(String.raw`^([A-Za-z][\w-]{0,127}): +(${PLAIN}|${DOUBLE}|${SINGLE})(?: +#[\x20-\x7e]*)? *$`);
const SKIPPED = /^ *(?:#[\x20-\x7e]*)?$/;
// Plain words YAML's core schema reads as null or a boolean.
const KEYWORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/**
 * The mapping `lines` hold (a block's body or a front matter, as scanMarkdown split the file, each
 * followed by a line of the file) when they have the simple shape, each key's value with its
 * place; otherwise null.
 */
export function simpleMapping(lines: readonly Line[]): Map<string, SimpleValue> | null {
  const entries = new Map<string, SimpleValue>();
  for (const { start, content } of lines) {
    const entry = ENTRY.exec(content);
    if (entry) {
      const [, key, raw] = entry as unknown as [string, string, string];
      if (entries.has(key) || KEYWORDS.has(key) || KEYWORDS.has(raw)) return null;
      const at = start + content.indexOf(raw, key.length + 1);
      const quote = raw[0];
      const style = quote === '"' ? 'double' : quote === "'" ? 'single' : 'plain';
      entries.set(key, { value: style === 'plain' ? raw : raw.slice(1, -1), start: at, end: at + raw.length, style });
    } else if (!SKIPPED.test(content)) {
      return null;
    }
  }
  return entries.size > 0 ? entries : null;
}

/** The mapping's values alone, as YAML gives them. */
export function valuesOf(mapping: Map<string, SimpleValue>): Record<string, string> {
  return Object.fromEntries([...mapping].map(([key, { value }]) => [key, value]));
}
