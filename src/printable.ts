// C0 controls, DEL, the C1 controls (ESC starts a terminal escape; U+009B is CSI on some
// terminals) and the two Unicode line separators.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

/**
 * Text from a repo, a hub or a request (a file name, an id, a title, a URL path), made safe to
 * print on one line of a terminal or a log: control characters are shown escaped, so none can
 * move the cursor, recolour the screen or forge a line.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
