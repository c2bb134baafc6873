import type { FencedTaskBlock, Line, MarkdownScan } from './markdown.js';

/**
 * A closed task block's body as CommonMark gives it: the lines between the fences, each with up to
 * the opening fence's indentation (0 to 3 spaces) taken off, so that a block fenced at `   ```task`
 * reads alike whether its lines are indented with the fence or not. `fileOffset` leads an offset
 * in `text` back to the file, where a writeback edits.
 */
export interface FenceBody {
  /** Each line's content, the indentation taken off, and where that content starts in the file. */
  lines: Line[];
  /** The lines with their terminators: what YAML reads. */
  text: string;
  fileOffset(at: number): number;
}

export function fenceBody(text: string, scan: MarkdownScan, block: FencedTaskBlock): FenceBody {
  const indent = /^ */.exec(scan.lines[block.openLine]!.content)![0].length;
  const raw = scan.lines.slice(block.openLine + 1, block.closeLine ?? scan.lines.length);
  if (indent === 0) return { lines: raw, text: text.slice(block.bodyStart, block.bodyEnd), fileOffset: (at) => block.bodyStart + at };
  const lines: Line[] = [];
  /** Where each line starts in `body`. */
  const starts: number[] = [];
  let body = '';
  raw.forEach((line, i) => {
    const taken = Math.min(indent, /^ */.exec(line.content)![0].length);
    starts.push(body.length);
    lines.push({ start: line.start + taken, content: line.content.slice(taken) });
    body += text.slice(line.start + taken, raw[i + 1]?.start ?? block.bodyEnd);
  });
  return {
    lines,
    text: body,
    fileOffset(at) {
      let i = starts.length - 1;
      while (i > 0 && starts[i]! > at) i--;
      return (lines[i]?.start ?? block.bodyStart) + (at - (starts[i] ?? 0));
    },
  };
}
