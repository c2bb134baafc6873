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
  /** 0-based lines of ```task fences Markdown reads as no fence: in a block quote or list item, or indented as code. */
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
/** A list item with nothing on its line: it opens no paragraph. */
const EMPTY_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])[ \t]*$/;
/** A list item that may interrupt a paragraph (CommonMark): not empty, and an ordered one from 1. */
const INTERRUPTING_ITEM = /^ {0,3}(?:[-+*]|0{0,8}1[.)])[ \t]+\S/;
/** A link reference definition on one line: no paragraph text, though the paragraph is open. */
const LINK_DEFINITION = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*\S/;
/** A fence on the line of a list item's marker: the marker, the spaces after it, the fence, its info. */
const ITEM_FENCE = /^( {0,3}(?:[-+*]|\d{1,9}[.)]))( {1,4})(`{3,}|~{3,})(.*)$/;
/** A ```task fence behind block quote or list markers, or indented: what a person meant as a task block. */
const TASK_FENCE_ANYWHERE = /^[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)])[ \t]*)*(?:`{3,}|~{3,})[ \t]*task(?:[ \t]|$)/;

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
 * Whether a line below a block quote starts a block of its own, ending the quote, rather than
 * continuing the quote's paragraph lazily. Any list item does, empty or not: the quote's paragraph
 * is not the container it would interrupt (a setext underline or kind-7 HTML cannot).
 */
function endsQuote(line: string): boolean {
  return (
    isBlank(line) ||
    HEADING.test(line) ||
    THEMATIC_BREAK.test(line) ||
    fenceOpening(line) !== null ||
    htmlBlockStart(line, true) !== null ||
    LIST_ITEM.test(line)
  );
}

/** An open paragraph: its text lines (link definitions before them left out), and whether it is a list item's. */
interface Paragraph {
  lines: string[];
  inItem: boolean;
}

/** The paragraph after one more line of text, or null where that line is an empty list item. */
function paragraphWith(paragraph: Paragraph | null, line: string): Paragraph | null {
  const item = LIST_ITEM.test(line);
  // An item starts anew in a list, and else only where it may interrupt a paragraph (CommonMark).
  const startsItem = item && (paragraph === null || paragraph.inItem || INTERRUPTING_ITEM.test(line));
  if (startsItem && EMPTY_ITEM.test(line)) return null;
  const open = paragraph && !startsItem ? paragraph : { lines: [], inItem: item };
  if (open.lines.length === 0 && LINK_DEFINITION.test(line)) return open;
  open.lines.push(line.trim());
  return open;
}

/** An open block quote: a fence open inside it, and whether its last block is a paragraph (a lazy line continues it). */
interface Quote {
  fence: string | null;
  paragraph: boolean;
}

/** The quote after one more of its lines, given that line's content; says where a task fence in it goes unread. */
function quoteWith(quote: Quote | null, inner: string, unread: () => void): Quote {
  const open = quote ?? { fence: null, paragraph: false };
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

export function scanMarkdown(text: string): MarkdownScan {
  const lines = splitLines(text);
  const fmEnd = frontMatterEnd(lines);
  const taskBlocks: FencedTaskBlock[] = [];
  const unreadFences: number[] = [];
  const conflict = conflictTracker();
  let title: string | null = null;
  /** The open fence; `within`: the content column of the list item it opened on the line of, else 0. */
  let fence: { marker: string; task: FencedTaskBlock | null; within: number } | null = null;
  let html: HtmlBlock | null = null;
  let paragraph: Paragraph | null = null;
  let quote: Quote | null = null;

  for (let i = 0; i < lines.length; i++) {
    const { content, start } = lines[i]!;
    conflict.see(content, i);
    if (fmEnd !== null && i <= fmEnd) continue;

    // A list item's fence ends with the item: at a line indented less than its content (code is never lazy).
    if (fence && fence.within > 0 && !isBlank(content) && /^ */.exec(content)![0].length < fence.within) fence = null;
    if (fence) {
      if (closesFence(content.slice(fence.within), fence.marker)) {
        if (fence.task) {
          fence.task.closeLine = i;
          fence.task.bodyEnd = start;
        }
        fence = null;
      }
      continue;
    }
    if (html) {
      if (!html.continuesAfter(content)) html = null;
      continue;
    }

    const markers = QUOTE_MARKERS.exec(content);
    if (markers) {
      quote = quoteWith(quote, content.slice(markers[0].length), () => unreadFences.push(i));
      paragraph = null;
      continue;
    }
    if (quote) {
      // A line below a quote whose last block is a paragraph continues it lazily, unless it starts a block.
      if (quote.paragraph && !endsQuote(content)) continue;
      quote = null;
    }

    const opened = htmlBlockStart(content, paragraph !== null);
    if (opened) {
      html = opened.openAfterStart ? opened : null;
      paragraph = null;
      continue;
    }
    // Most lines hold no fence character: the fence patterns are not tried on them (a 10,000-task scan is a hook's).
    const fenced = content.includes('`') || content.includes('~');
    const open = fenced ? fenceOpening(content) : null;
    if (open) {
      const bodyStart = lines[i + 1]?.start ?? text.length;
      const task: FencedTaskBlock | null = isTaskInfo(open.info) ? { openLine: i, closeLine: null, bodyStart, bodyEnd: text.length, title } : null;
      if (task) taskBlocks.push(task);
      fence = { marker: open.marker, task, within: 0 };
      paragraph = null;
      continue;
    }
    const inItem = fenced ? ITEM_FENCE.exec(content) : null;
    // An item opens here unless it would continue the paragraph; its fence is the item's, no task block.
    if (inItem && !(inItem[3]![0] === '`' && inItem[4]!.includes('`')) && !(paragraph && !paragraph.inItem && !INTERRUPTING_ITEM.test(content))) {
      if (isTaskInfo(inItem[4]!)) unreadFences.push(i);
      fence = { marker: inItem[3]!, task: null, within: inItem[1]!.length + inItem[2]!.length };
      paragraph = null;
      continue;
    }

    if (fenced && TASK_FENCE_ANYWHERE.test(content)) unreadFences.push(i);
    const heading = HEADING.exec(content);
    if (heading) title = heading[1]?.trim() || null;
    // A list item's text is no setext heading's: the underline is lazy text of the item.
    else if (paragraph && !paragraph.inItem && paragraph.lines.length > 0 && SETEXT_UNDERLINE.test(content)) title = paragraph.lines.join(' ').trim() || null;
    else if (!isBlank(content) && !THEMATIC_BREAK.test(content) && (paragraph || !INDENTED_CODE.test(content))) {
      paragraph = paragraphWith(paragraph, content);
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
