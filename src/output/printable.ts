/** Control characters (C0, DEL, C1: ESC starts a terminal escape) and the two Unicode line separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

/**
 * Text from a repo, a hub or a request (a file name, an id, a title, a URL path), made safe to
 * print on one line of a terminal or a log: control characters are shown escaped, so none can
 * move the cursor, recolour the screen or forge a line.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
