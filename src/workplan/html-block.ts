/**
 * CommonMark's HTML blocks (spec 0.31, section 4.6). Nothing inside one is Markdown, so a ```task
 * fence written between `<details>` and `</details>` with no blank line, or inside `<pre>`, is
 * raw HTML and no task. Each of the seven kinds starts on a line of its own and ends on the first
 * line (the start line included) that meets its end condition; kinds 6 and 7 end before a blank line.
 */

/** Kind 6's tag names. */
const BLOCK_TAGS =
  'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul';

const ATTRIBUTE = String.raw`\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>\x60]+|'[^']*'|"[^"]*"))?`;

interface Kind {
  start: RegExp;
  /** Whether a line ends the block; null for the kinds that end at a blank line. */
  end: RegExp | null;
  /** Whether the kind may begin while a paragraph is open. */
  interruptsParagraph: boolean;
}

const KINDS: Kind[] = [
  { start: /^ {0,3}<(?:pre|script|style|textarea)(?:\s|>|$)/i, end: /<\/(?:pre|script|style|textarea)>/i, interruptsParagraph: true },
  { start: /^ {0,3}<!--/, end: /-->/, interruptsParagraph: true },
  { start: /^ {0,3}<\?/, end: /\?>/, interruptsParagraph: true },
  { start: /^ {0,3}<![A-Za-z]/, end: />/, interruptsParagraph: true },
  { start: /^ {0,3}<!\[CDATA\[/, end: /\]\]>/, interruptsParagraph: true },
  { start: new RegExp(`^ {0,3}</?(?:${BLOCK_TAGS})(?:\\s|/?>|$)`, 'i'), end: null, interruptsParagraph: true },
  {
    start: new RegExp(`^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:${ATTRIBUTE})*\\s*/?>|</[A-Za-z][A-Za-z0-9-]*\\s*>)\\s*$`, 'i'),
    end: null,
    interruptsParagraph: false,
  },
];

export interface HtmlBlock {
  /**
   * A tag that wraps what follows until a blank line (kinds 6 and 7: `<details>`, `<div>`): a task
   * fence in it was meant as a task. What a comment, `<pre>` or `<script>` holds is there on purpose.
   */
  wrapsMarkdown: boolean;
  /** Whether the block is still open after its start line (kinds 1 to 5 may end on it). */
  openAfterStart: boolean;
  /** Whether the block is still open after this line. */
  continuesAfter(line: string): boolean;
}

const untilBlank: HtmlBlock = { wrapsMarkdown: true, openAfterStart: true, continuesAfter: (line) => !/^[ \t]*$/.test(line) };

/** The HTML block this line starts, or null; `paragraphOpen` says whether the line would continue a paragraph. */
export function htmlBlockStart(line: string, paragraphOpen: boolean): HtmlBlock | null {
  if (!/^ {0,3}</.test(line)) return null;
  for (const { start, end, interruptsParagraph } of KINDS) {
    if ((paragraphOpen && !interruptsParagraph) || !start.test(line)) continue;
    if (!end) return untilBlank;
    // The whole start line is searched for the end: `<!-->` and `<?>` are whole blocks (spec 0.31).
    return { wrapsMarkdown: false, openAfterStart: !end.test(line), continuesAfter: (next) => !end.test(next) };
  }
  return null;
}
