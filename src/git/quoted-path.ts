/**
 * A path as git prints it (a diff header, blame's `filename`) with `core.quotePath` off: C-quoted
 * when it holds a quote, a backslash or a control character.
 */
export function quotedPath(prefix: string, file: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git quotes.
  if (!/["\\\u0000-\u001f\u007f]/.test(file)) return `${prefix}${file}`;
  const named: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\t': '\\t',
    '\r': '\\r',
    '\b': '\\b',
    '\f': '\\f',
    '\v': '\\v',
    '\x07': '\\a',
  };
  const escaped = [...`${prefix}${file}`].map(
    (c) => named[c] ?? (c.charCodeAt(0) < 0x20 || c === '\x7f' ? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}` : c),
  );
  return `"${escaped.join('')}"`;
}
