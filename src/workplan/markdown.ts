import { type HtmlBlock, htmlBlockStart } from './html-block.js';

/**
 * The few Markdown facts a workplan needs, found in one pass over the lines: the front matter's
 * span, every fenced ```task block with the heading above it, and merge conflict markers.
 * Fences follow CommonMark: a block opened by N backticks (or tildes) closes only on a line of at
 * least N of the same character, so a ```task inside a ````markdown example is not a task, and
 * nothing inside an HTML block (a comment, `<details>` with no blank line before the fence, `<pre>`)
 * is either. Headings are ATX (`## Title`) or setext (a paragraph underlined by `===` or `---`).
 */
export interface Line {
  /** Offset of the line's first character in the text. */
  start: number;
  /** The line without its terminator (and without the file's BOM). */
  content: string;
}

export interface FencedTaskBlock {
  /** 0-based index of the opening fence line. */
  openLine: number;
  /** 0-based index of the closing fence line, or null when the block never closes. */
  closeLine: number | null;
  /** Offsets of the block's body (the lines between the fences, terminators included). */
  bodyStart: number;
  bodyEnd: number;
  /** Text of the nearest heading above the block, or null. */
  title: string | null;
}

export interface MarkdownScan {
  lines: Line[];
  /** 0-based line of the closing `---` of the front matter, or null when there is none. */
  frontMatterEnd: number | null;
  taskBlocks: FencedTaskBlock[];
  /** 0-based line of the first whole conflict's `<<<<<<<`, or null. */
  conflictLine: number | null;
  /** 0-based lines of ```task fences Markdown reads as no task: in a block quote, a list item or raw HTML (not a comment), or indented as code. */
  unreadFences: number[];
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
/** The first and last of git's conflict markers (any marker size from 7): ours starts, theirs ends. */
const CONFLICT_MARKER = /^([<>])\1{6,}(?:[ \t]|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const INDENTED_CODE = /^(?: {4}| {0,3}\t)/;
/** The block quote markers a line begins with; what follows is the quote's content. */
const QUOTE_MARKERS = /^(?: {0,3}>[ \t]?)+/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
/** A list item that may interrupt a paragraph (CommonMark): not empty (a no-break space is text), and an ordered one from 1. */
const INTERRUPTING_ITEM = /^ {0,3}(?:[-+*]|0{0,8}1[.)])[ \t]+[^ \t]/;
/** A link reference definition on one line: no paragraph text, though the paragraph is open. */
const LINK_DEFINITION = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*\S/;
/** A ```task fence behind block quote or list markers, or indented: what a person meant as a task block. */
const TASK_FENCE_ANYWHERE = /^[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)])[ \t]*)*(?:`{3,}|~{3,})[ \t]*task(?:[ \t]|$)/;

/** Whether a line's first character could begin a list item: most lines' cannot, and skip the pattern. */
function mayOpenItem(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === 0x20 || c === 0x2d || c === 0x2b || c === 0x2a || (c >= 0x30 && c <= 0x39);
}

/** Blank as CommonMark says: spaces and tabs only (a no-break space is text). */
const isBlank = (line: string) => /^[ \t]*$/.test(line);

/** The fence a line opens: its marker and info string; a backtick fence's info holds no backtick. */
function fenceOpening(line: string): { marker: string; info: string } | null {
  const open = FENCE_OPEN.exec(line);
  if (!open || (open[1]![0] === '`' && open[2]!.includes('`'))) return null;
  return { marker: open[1]!, info: open[2]! };
}

const isTaskInfo = (info: string) => info.trim().split(/[ \t]+/)[0] === 'task';

/** Whether a line closes a fence opened by `marker`: as many of its characters or more, and blanks. */
function closesFence(line: string, marker: string): boolean {
  const trimmed = line.replace(/^ {0,3}/, '').replace(/[ \t]+$/, '');
  return trimmed.length >= marker.length && trimmed === marker[0]!.repeat(trimmed.length);
}

/**
 * Whether a line starts a block of its own, ending a quote or list item whose paragraph it would
 * otherwise continue lazily. Any list item does, empty or not: the paragraph is not in the
 * container it would interrupt (a setext underline or kind-7 HTML cannot).
 */
function startsBlock(line: string): boolean {
  return (
    isBlank(line) ||
    HEADING.test(line) ||
    THEMATIC_BREAK.test(line) ||
    QUOTE_MARKERS.test(line) ||
    fenceOpening(line) !== null ||
    htmlBlockStart(line, true) !== null ||
    LIST_ITEM.test(line)
  );
}

/** An open paragraph's text lines, link definitions before them left out. */
type Paragraph = string[];

/** The paragraph after one more line of text. */
function paragraphWith(paragraph: Paragraph | null, line: string): Paragraph {
  const open = paragraph ?? [];
  if (open.length > 0 || !LINK_DEFINITION.test(line)) open.push(line.trim());
  return open;
}

/** An open block quote: a fence open inside it, and whether its last block is a paragraph (a lazy line continues it). */
interface Quote {
  /** The content column of the list item the quote is in, else 0. */
  within: number;
  fence: string | null;
  paragraph: boolean;
}

/** The quote after one more of its lines, given that line's content; says where a task fence in it goes unread. */
function quoteWith(quote: Quote | null, inner: string, within: number, unread: () => void): Quote {
  const open = quote ?? { within, fence: null, paragraph: false };
  if (open.fence !== null) {
    if (closesFence(inner, open.fence)) open.fence = null;
    return open;
  }
  const fence = fenceOpening(inner);
  if (fence) open.fence = fence.marker;
  if ((fence && isTaskInfo(fence.info)) || (!fence && TASK_FENCE_ANYWHERE.test(inner))) unread();
  open.paragraph =
    !fence &&
    !isBlank(inner) &&
    !HEADING.test(inner) &&
    !THEMATIC_BREAK.test(inner) &&
    htmlBlockStart(inner, open.paragraph) === null &&
    (open.paragraph || !INDENTED_CODE.test(inner));
  return open;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    let content = text.slice(start === 0 && text.startsWith('\uFEFF') ? 1 : start, newline === -1 ? text.length : newline);
    if (content.endsWith('\r')) content = content.slice(0, -1);
    lines.push({ start, content });
    start = end;
  }
  return lines;
}

function frontMatterEnd(lines: Line[]): number | null {
  if (lines[0]?.content.trimEnd() !== '---') return null;
  for (let i = 1; i < lines.length; i++) {
    const content = lines[i]!.content.trimEnd();
    if (content === '---' || content === '...') return i;
  }
  return null;
}

/** `text` with its leading tabs as spaces, to the next multiple of 4 counted from `from`, the column `text` starts at. */
function leadingAsSpaces(text: string, from = 0): string {
  const lead = /^[ \t]*/.exec(text)![0];
  if (!lead.includes('\t')) return text;
  let column = from;
  for (const c of lead) column += c === '\t' ? 4 - (column % 4) : 1;
  return ' '.repeat(column - from) + text.slice(lead.length);
}

/**
 * How many characters at the line's end a thematic break could be made of (one of `-`, `*`, `_`,
 * and blanks): a rest of the line longer than that is none, which keeps nested markers linear.
 */
function breakTail(line: string): number {
  let mark = '';
  let at = line.length;
  for (; at > 0; at--) {
    const c = line[at - 1]!;
    if (c === ' ' || c === '\t') continue;
    if ((c !== '-' && c !== '*' && c !== '_') || (mark !== '' && c !== mark)) break;
    mark = c;
  }
  return line.length - at;
}

/** The columns a line's leading spaces and tabs fill. */
const indentOf = (line: string) => /^ */.exec(leadingAsSpaces(line))![0].length;

/** The line, its leading tabs as spaces, with up to `columns` of them taken off (none: the line as it is). */
function dropColumns(line: string, columns: number): string {
  if (columns === 0) return line;
  const spaced = leadingAsSpaces(line);
  return spaced.slice(Math.min(columns, /^ */.exec(spaced)![0].length));
}

/**
 * A list item's marker line (`line` starting at column `base`): the column where its content
 * begins (CommonMark 5.2), and the rest of the line from that column.
 */
function openItem(line: string, base: number): { column: number; rest: string } {
  const marker = /^ {0,3}(?:[-+*]|\d{1,9}[.)])/.exec(line)![0];
  const markerEnd = base + marker.length;
  const after = leadingAsSpaces(line.slice(marker.length), markerEnd);
  const gap = /^ */.exec(after)![0].length;
  // An empty item, or content indented as code: the content column is one past the marker.
  const column = gap === after.length || gap > 4 ? markerEnd + 1 : markerEnd + gap;
  return { column, rest: after.slice(Math.min(column - markerEnd, gap)) };
}

export function scanMarkdown(text: string): MarkdownScan {
  const lines = splitLines(text);
  const fmEnd = frontMatterEnd(lines);
  const taskBlocks: FencedTaskBlock[] = [];
  const unreadFences: number[] = [];
  const conflict = conflictTracker();
  let title: string | null = null;
  /** The open fence; `within`: the content column of the list item it is in, else 0. */
  let fence: { marker: string; task: FencedTaskBlock | null; within: number } | null = null;
  /** The open HTML block, and the content column of the list item it is in. */
  let html: { block: HtmlBlock; within: number } | null = null;
  let paragraph: Paragraph | null = null;
  let quote: Quote | null = null;
  /** The content columns of the open list items, innermost last: a line indented as far is theirs. */
  const items: number[] = [];
  /** The innermost item opened empty on the line before: a blank line ends it (an item begins with at most one blank line). */
  let emptyItem = false;

  for (let i = 0; i < lines.length; i++) {
    const { content, start } = lines[i]!;
    conflict.see(content, i);
    if (fmEnd !== null && i <= fmEnd) continue;

    const blank = isBlank(content);
    // Most lines start at the margin: no tab arithmetic for them.
    const indent = content[0] === ' ' || content[0] === '\t' ? indentOf(content) : 0;
    // A list item's fence or HTML ends with the item: at a line indented less than its content (neither is ever lazy).
    if (fence && fence.within > 0 && !blank && indent < fence.within) fence = null;
    if (html && html.within > 0 && !blank && indent < html.within) html = null;
    if (fence) {
      if (closesFence(dropColumns(content, fence.within), fence.marker)) {
        if (fence.task) {
          fence.task.closeLine = i;
          fence.task.bodyEnd = start;
        }
        fence = null;
      }
      continue;
    }
    if (html) {
      // A task fence a tag wraps (`<details>` with no blank line) was meant as a task.
      if (html.block.wrapsMarkdown && TASK_FENCE_ANYWHERE.test(content)) unreadFences.push(i);
      if (!html.block.continuesAfter(dropColumns(content, html.within))) html = null;
      continue;
    }

    if (emptyItem && blank) items.pop();
    emptyItem = false;
    // A line indented less than an item's content leaves the item, unless it continues a paragraph of
    // it lazily: what follows, read at the column of the innermost item still holding the line, starts no block.
    const outside = !blank && items.length > 0 && indent < items.at(-1)!;
    if (outside) {
      let holding = items.length - 1;
      while (holding >= 0 && items[holding]! > indent) holding--;
      if ((paragraph || (quote?.paragraph && quote.within > 0)) && !startsBlock(dropColumns(content, items[holding] ?? 0))) {
        if (paragraph) paragraph = paragraphWith(paragraph, content);
        continue;
      }
      items.length = holding + 1;
      paragraph = null;
    }
    let within = items.at(-1) ?? 0;
    let line = dropColumns(content, within);
    // A quote in an item the line has left is gone with it.
    if (quote && quote.within > within) quote = null;
    if (quote && !QUOTE_MARKERS.test(line)) {
      // A line below a quote whose last block is a paragraph continues it lazily, unless it starts a block.
      if (quote.paragraph && !startsBlock(line)) continue;
      quote = null;
    }
    // Items open here, one inside another (`- 1. text`), unless the first would continue a paragraph
    // it may not interrupt (a line that left the paragraph's item has no paragraph); the rest of the
    // line is the innermost's. A rest that is a thematic break (`- * * *`) is no item.
    let tail = -1;
    while (mayOpenItem(line) && LIST_ITEM.test(line) && (paragraph === null || INTERRUPTING_ITEM.test(line))) {
      if (tail === -1) tail = breakTail(line);
      if (line.length - /^[ \t]*/.exec(line)![0].length <= tail && THEMATIC_BREAK.test(line)) break;
      const { column, rest } = openItem(line, within);
      line = rest;
      items.push(column);
      within = column;
      paragraph = null;
      quote = null;
      emptyItem = isBlank(line);
    }
    const markers = QUOTE_MARKERS.exec(line);
    if (markers) {
      quote = quoteWith(quote, line.slice(markers[0].length), within, () => unreadFences.push(i));
      paragraph = null;
      continue;
    }

    const opened = htmlBlockStart(line, paragraph !== null);
    if (opened) {
      html = opened.openAfterStart ? { block: opened, within } : null;
      paragraph = null;
      continue;
    }
    // Most lines hold no fence character: the fence patterns are not tried on them (a 10,000-task scan is a hook's).
    const fenced = line.includes('`') || line.includes('~');
    const open = fenced ? fenceOpening(line) : null;
    if (open) {
      // A list item's fence is the item's, no task block.
      const taskInfo = isTaskInfo(open.info);
      if (taskInfo && within > 0) unreadFences.push(i);
      const bodyStart = lines[i + 1]?.start ?? text.length;
      const task: FencedTaskBlock | null = taskInfo && within === 0 ? { openLine: i, closeLine: null, bodyStart, bodyEnd: text.length, title } : null;
      if (task) taskBlocks.push(task);
      fence = { marker: open.marker, task, within };
      paragraph = null;
      continue;
    }

    if (fenced && TASK_FENCE_ANYWHERE.test(line)) unreadFences.push(i);
    // A heading, or an underline below a paragraph, titles the tasks below it; inside a list item, the item alone.
    const heading = HEADING.exec(line);
    if (heading) {
      if (within === 0) title = heading[1]?.trim() || null;
    } else if (paragraph && paragraph.length > 0 && SETEXT_UNDERLINE.test(line)) {
      if (within === 0) title = paragraph.join(' ').trim() || null;
    } else if (!isBlank(line) && !THEMATIC_BREAK.test(line) && (paragraph || !INDENTED_CODE.test(line))) {
      paragraph = paragraphWith(paragraph, line);
      continue;
    }
    paragraph = null;
  }
  return { lines, frontMatterEnd: fmEnd, taskBlocks, conflictLine: conflict.line(), unreadFences };
}

/**
 * The first conflict git wrote: a `<<<<<<<` line and, below it, a `>>>>>>>` line (the `=======`
 * between may be gone, half resolved by hand). One marker alone is Markdown (`>>>>>>> x` is a
 * blockquote seven deep, `<<<<<<< HEAD` an example), and it made the whole file unreadable (C-08).
 */
function conflictTracker() {
  let opened: number | null = null;
  let found: number | null = null;
  return {
    see(content: string, at: number) {
      if (found !== null) return;
      const marker = CONFLICT_MARKER.exec(content)?.[1];
      if (marker === '<') opened ??= at;
      else if (marker === '>' && opened !== null) found = opened;
    },
    line: () => found,
  };
}
