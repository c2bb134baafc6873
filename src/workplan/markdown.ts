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
/** A line that opens a list item or a block quote: its text is no setext heading's. */
const CONTAINER_START = /^ {0,3}(?:>|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))/;
const INDENTED_CODE = /^(?: {4}| {0,3}\t)/;
/** A fence on the line of a list item's marker: the marker, the spaces after it, the fence, its info. */
const ITEM_FENCE = /^( {0,3}(?:[-+*]|\d{1,9}[.)]))( {1,4})(`{3,}|~{3,})(.*)$/;
/** A ```task fence behind block quote or list markers, or indented: what a person meant as a task block. */
const TASK_FENCE_ANYWHERE = /^[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)])[ \t]*)*(?:`{3,}|~{3,})[ \t]*task(?:[ \t]|$)/;

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
  /** The open paragraph's lines, or null; a setext underline makes them a heading. */
  let paragraph: string[] | null = null;

  for (let i = 0; i < lines.length; i++) {
    const { content, start } = lines[i]!;
    conflict.see(content, i);
    if (fmEnd !== null && i <= fmEnd) continue;

    // A list item's fence ends with the item: at a line indented less than its content (code is never lazy).
    if (fence && fence.within > 0 && content.trim() !== '' && /^ */.exec(content)![0].length < fence.within) fence = null;
    if (fence) {
      const trimmed = content
        .slice(fence.within)
        .replace(/^ {0,3}/, '')
        .trimEnd();
      const closes = trimmed.length >= fence.marker.length && trimmed === fence.marker[0]!.repeat(trimmed.length);
      if (closes) {
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
    const opened = htmlBlockStart(content, paragraph !== null);
    if (opened) {
      html = opened.openAfterStart ? opened : null;
      paragraph = null;
      continue;
    }

    const open = FENCE_OPEN.exec(content);
    // A backtick fence's info string may not contain backticks (CommonMark); then it is no fence.
    if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
      const isTask = open[2]!.trim().split(/\s+/)[0] === 'task';
      const bodyStart = lines[i + 1]?.start ?? text.length;
      const task: FencedTaskBlock | null = isTask ? { openLine: i, closeLine: null, bodyStart, bodyEnd: text.length, title } : null;
      if (task) taskBlocks.push(task);
      fence = { marker: open[1]!, task, within: 0 };
      paragraph = null;
      continue;
    }
    const inItem = ITEM_FENCE.exec(content);
    // An ordered item interrupts a paragraph only from 1 (CommonMark); its fence is the item's, no task block.
    if (inItem && !(inItem[3]![0] === '`' && inItem[4]!.includes('`')) && !(paragraph && /^ *\d/.test(inItem[1]!) && !/^ *0*1[.)]/.test(inItem[1]!))) {
      if (TASK_FENCE_ANYWHERE.test(content)) unreadFences.push(i);
      fence = { marker: inItem[3]!, task: null, within: inItem[1]!.length + inItem[2]!.length };
      paragraph = null;
      continue;
    }

    if (TASK_FENCE_ANYWHERE.test(content)) unreadFences.push(i);
    const heading = HEADING.exec(content);
    if (heading) title = heading[1]?.trim() || null;
    else if (paragraph && SETEXT_UNDERLINE.test(content) && !paragraph.some((line) => CONTAINER_START.test(line))) title = paragraph.join(' ').trim() || null;
    else if (content.trim() !== '' && !THEMATIC_BREAK.test(content) && (paragraph || !INDENTED_CODE.test(content))) {
      if (paragraph) paragraph.push(content.trim());
      else paragraph = [content.trim()];
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
