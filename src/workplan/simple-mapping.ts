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
  /** Offsets of the value in the text, quotes included. */
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
const ENTRY = new RegExp(String.raw`^([A-Za-z][\w-]{0,127}): +(${PLAIN}|${DOUBLE}|${SINGLE})(?: +#[\x20-\x7e]*)? *\r?$`);
const LONE_CR = /\r(?!\n)/;
const SKIPPED = /^ *(?:#[\x20-\x7e]*)?\r?$/;
// Plain words YAML's core schema reads as null or a boolean.
const KEYWORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/** The mapping `text` holds when it has the simple shape, each key's value with its place; otherwise null. */
export function simpleMapping(text: string): Map<string, SimpleValue> | null {
  // YAML's own line breaks only: a carriage return that ends no line is left to it.
  if (LONE_CR.test(text)) return null;
  const entries = new Map<string, SimpleValue>();
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    const entry = ENTRY.exec(line);
    if (entry) {
      const [, key, raw] = entry as unknown as [string, string, string];
      if (entries.has(key) || KEYWORDS.has(key) || KEYWORDS.has(raw)) return null;
      const at = start + line.indexOf(raw, key.length + 1);
      const quote = raw[0];
      const style = quote === '"' ? 'double' : quote === "'" ? 'single' : 'plain';
      entries.set(key, { value: style === 'plain' ? raw : raw.slice(1, -1), start: at, end: at + raw.length, style });
    } else if (!SKIPPED.test(line)) {
      return null;
    }
    start = end + 1;
  }
  return entries.size > 0 ? entries : null;
}

/** The mapping's values alone, as YAML gives them. */
export function valuesOf(mapping: Map<string, SimpleValue>): Record<string, string> {
  return Object.fromEntries([...mapping].map(([key, { value }]) => [key, value]));
}
