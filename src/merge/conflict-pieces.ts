/**
 * git merge-file's output read back as pieces: runs of lines it merged, and conflicts with each
 * side's lines. Bytes throughout: a workplan need not be UTF-8, and what is not resolved must be
 * written back exactly as git produced it.
 */
export type Piece = { kind: 'merged'; lines: Buffer[] } | { kind: 'conflict'; ours: Buffer[]; theirs: Buffer[]; lines: Buffer[] };

/** Lines with their terminators; the last may have none. */
export function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** Which conflict marker of exactly `size` characters a line is, if any (git writes `=` alone on its line). */
function markerOf(line: Buffer, size: number): '<' | '|' | '=' | '>' | null {
  const char = String.fromCharCode(line[0] ?? 0);
  if (!'<|=>'.includes(char) || line.length < size) return null;
  for (let i = 1; i < size; i++) if (line[i] !== line[0]) return null;
  const after = line.subarray(size).toString('latin1');
  if (char === '=') return /^\r?\n?$/.test(after) ? '=' : null;
  return /^(?:[ \r\n]|$)/.test(after) ? (char as '<' | '|' | '>') : null;
}

/**
 * The pieces of merge-file's output, or null when its markers do not read as git writes them (a
 * conflict never closed, a marker out of order): then nothing is resolved.
 */
export function conflictPieces(output: Buffer, markerSize: number): Piece[] | null {
  const pieces: Piece[] = [];
  let merged: Buffer[] = [];
  let conflict: Extract<Piece, { kind: 'conflict' }> | null = null;
  let section: 'ours' | 'base' | 'theirs' = 'ours';
  for (const line of splitLines(output)) {
    const marker = markerOf(line, markerSize);
    if (!conflict) {
      if (marker !== '<') {
        merged.push(line);
        continue;
      }
      if (merged.length > 0) pieces.push({ kind: 'merged', lines: merged });
      merged = [];
      conflict = { kind: 'conflict', ours: [], theirs: [], lines: [line] };
      section = 'ours';
      continue;
    }
    conflict.lines.push(line);
    if (marker === '<') return null;
    if (marker === '|' && section === 'ours') section = 'base';
    else if (marker === '=' && section !== 'theirs') section = 'theirs';
    else if (marker === '>' && section === 'theirs') {
      pieces.push(conflict);
      conflict = null;
    } else if (marker === '|' || marker === '>') return null;
    else if (section === 'ours') conflict.ours.push(line);
    else if (section === 'theirs') conflict.theirs.push(line);
  }
  if (conflict) return null;
  if (merged.length > 0) pieces.push({ kind: 'merged', lines: merged });
  return pieces;
}
