// C0 controls, DEL and the C1 controls (ESC starts a terminal escape; CSI is U+009B on some terminals).
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

/**
 * Text from a repo or a hub (a file name, an id, a title), made safe to print on one terminal
 * line: control characters are shown escaped, so none can move the cursor, recolour the screen
 * or forge a line of output.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
