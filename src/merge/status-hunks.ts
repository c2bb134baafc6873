import type { Status } from '../status.js';
import type { Task } from '../workplan/parse.js';
import { idCounts, mayHold, tasksAmong } from '../workplan/tasks-among.js';
import { setStatusesInBytes } from '../workplan/set-status.js';
import { type Piece, splitLines } from './conflict-pieces.js';

/** A task whose status line the two sides of a conflict hold with different values and alike otherwise. */
export interface ContestedStatus {
  id: string;
  ours: Status;
  theirs: Status;
  /** 1-based line of the status value in the ours view. */
  line: number;
}

/** A conflict whose sides differ only in status values: its piece, and its first line in the ours view (0-based). */
export interface StatusHunk {
  piece: number;
  start: number;
  tasks: ContestedStatus[];
}

/** The file as each side has it after the merge: the merged lines, and that side's lines of every conflict. */
export interface SideViews {
  ours: Buffer;
  theirs: Buffer;
}

interface Layout {
  views: SideViews;
  /** Per piece, its first line in each view. */
  starts: { ours: number; theirs: number }[];
}

function layOut(pieces: readonly Piece[]): Layout {
  const ours: Buffer[] = [];
  const theirs: Buffer[] = [];
  const starts = pieces.map((piece) => {
    const start = { ours: ours.length, theirs: theirs.length };
    ours.push(...(piece.kind === 'merged' ? piece.lines : piece.ours));
    theirs.push(...(piece.kind === 'merged' ? piece.lines : piece.theirs));
    return start;
  });
  return { views: { ours: Buffer.concat(ours), theirs: Buffer.concat(theirs) }, starts };
}

/**
 * The tasks whose blocks hold one of `lines` (1-based), by the line of their status value; a task
 * whose id the file holds twice is left out, as the reconciler skips it. Only the blocks that
 * matter are parsed.
 */
function tasksByLine(view: Buffer, file: string, lines: ReadonlySet<number>): Map<number, Task> {
  const text = view.toString('utf8');
  const { tasks } = tasksAmong(text, file, (block) => [...lines].some((l) => l - 1 > block.openLine && l - 1 < (block.closeLine ?? Infinity)));
  const counts = idCounts(
    text,
    file,
    tasks.map((t) => t.id),
  );
  return new Map(tasks.filter((t) => counts.get(t.id) === 1).map((t) => [t.line, t]));
}

/** The lines (1-based) where the two sides of each same-length conflict differ, in each view. */
function differingLines(pieces: readonly Piece[], starts: Layout['starts']): { ours: Set<number>; theirs: Set<number> } {
  const lines = { ours: new Set<number>(), theirs: new Set<number>() };
  pieces.forEach((piece, at) => {
    if (piece.kind !== 'conflict' || piece.ours.length !== piece.theirs.length) return;
    piece.ours.forEach((line, k) => {
      if (line.equals(piece.theirs[k]!)) return;
      lines.ours.add(starts[at]!.ours + k + 1);
      lines.theirs.add(starts[at]!.theirs + k + 1);
    });
  });
  return lines;
}

/** The tasks a conflict contests, if every line its sides differ on is one task's status line in both views. */
function contested(piece: Extract<Piece, { kind: 'conflict' }>, start: Layout['starts'][number], ours: Map<number, Task>, theirs: Map<number, Task>) {
  if (piece.ours.length !== piece.theirs.length) return null;
  const tasks: ContestedStatus[] = [];
  for (const [k, line] of piece.ours.entries()) {
    if (line.equals(piece.theirs[k]!)) continue;
    const o = ours.get(start.ours + k + 1);
    const t = theirs.get(start.theirs + k + 1);
    if (!o || !t || o.id !== t.id || o.status === t.status) return null;
    tasks.push({ id: o.id, ours: o.status, theirs: t.status, line: o.line });
  }
  return tasks.length > 0 ? tasks : null;
}

/**
 * The conflicts of merge-file's output that differ only in the status values of tasks with the
 * same ids. A line counts as one when setting the theirs value into the ours line gives the
 * theirs line byte for byte: quotes, comments and line endings alike.
 */
export function statusHunks(pieces: readonly Piece[], file: string): { views: SideViews; hunks: StatusHunk[] } {
  const { views, starts } = layOut(pieces);
  const differing = differingLines(pieces, starts);
  const ours = tasksByLine(views.ours, file, differing.ours);
  const theirs = tasksByLine(views.theirs, file, differing.theirs);
  const candidates: StatusHunk[] = [];
  pieces.forEach((piece, at) => {
    const tasks = piece.kind === 'conflict' ? contested(piece, starts[at]!, ours, theirs) : null;
    if (tasks) candidates.push({ piece: at, start: starts[at]!.ours, tasks });
  });
  const withTheirValues = splitLines(
    setStatusesInBytes(
      views.ours,
      candidates.flatMap((h) => h.tasks.map((t) => ({ taskId: t.id, status: t.theirs, line: t.line }))),
    ).bytes,
  );
  const hunks = candidates.filter((h) =>
    (pieces[h.piece] as Extract<Piece, { kind: 'conflict' }>).theirs.every((line, k) => line.equals(withTheirValues[h.start + k]!)),
  );
  return { views, hunks };
}

/** A contested task whose value in the conflict is not the one a side's own file gives it. */
export interface MixedTask {
  task: ContestedStatus;
  side: 'ours' | 'theirs';
  /** The status that side's file gives the task, or null where it holds none. */
  own: Status | null;
}

/**
 * The hunks whose every task has, in each side's own file, the value the conflict shows for it.
 * The views mix the sides: where one side changed a block's id line and git merged that apart from
 * the status line (ids swapped, a block renamed), one status line is one task's on one side and
 * another's on the other, and settling it would give a task a value neither side gave it.
 */
export function heldBySides(hunks: readonly StatusHunk[], sides: SideViews, file: string): { hunks: StatusHunk[]; mixed: MixedTask[] } {
  const ids = hunks.flatMap((h) => h.tasks.map((t) => t.id));
  const could = mayHold(ids);
  const own = (side: keyof SideViews) => tasksAmong(sides[side].toString('utf8'), file, (_, body) => could(body)).tasks;
  const tasks = { ours: own('ours'), theirs: own('theirs') };
  const mixed: MixedTask[] = [];
  for (const task of hunks.flatMap((h) => h.tasks))
    for (const side of ['ours', 'theirs'] as const) {
      const held = tasks[side].filter((t) => t.id === task.id).map((t) => t.status);
      if (!held.includes(task[side])) mixed.push({ task, side, own: held[0] ?? null });
    }
  const out = new Set(mixed.map((m) => m.task));
  return { hunks: hunks.filter((h) => !h.tasks.some((t) => out.has(t))), mixed };
}

/**
 * merge-file's output with every hunk whose tasks all have a chosen status resolved to the ours
 * lines carrying those statuses (a side's own line, where the status chosen is that side's); every
 * other byte as merge-file wrote it. `left`: the conflicts that remain.
 */
export function resolvedOutput(
  pieces: readonly Piece[],
  views: SideViews,
  hunks: readonly StatusHunk[],
  chosen: ReadonlyMap<string, Status>,
): { bytes: Buffer; left: number } {
  const resolved = hunks.filter((h) => h.tasks.every((t) => chosen.has(t.id)));
  const edits = resolved.flatMap((h) => h.tasks.map((t) => ({ taskId: t.id, status: chosen.get(t.id)!, line: t.line })));
  const edited = setStatusesInBytes(views.ours, edits);
  const ours = splitLines(edited.bytes);
  const refused = new Set(edited.refused.map((r) => r.edit.taskId));
  const byPiece = new Map(resolved.filter((h) => !h.tasks.some((t) => refused.has(t.id))).map((h) => [h.piece, h]));
  let left = 0;
  const out = pieces.flatMap((piece, at) => {
    if (piece.kind === 'merged') return piece.lines;
    const hunk = byPiece.get(at);
    if (!hunk) {
      left++;
      return piece.lines;
    }
    return ours.slice(hunk.start, hunk.start + piece.ours.length);
  });
  return { bytes: Buffer.concat(out), left };
}
