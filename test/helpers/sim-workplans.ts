import { parseWorkplan } from '../../src/workplan/parse.js';
import { editStatusInText } from '../../src/workplan/set-status.js';
import type { Status } from '../../src/status.js';

/**
 * The simulation's workplans as text: two files, the tasks' blocks in the first at the start,
 * and the edits people make that touch a status line without changing its value (a block moved
 * to the other file or reordered, a comment added to the status line).
 */
export const PLAN = 'plan.md';
export const SECOND_PLAN = 'plan2.md';
export const PLANS = [PLAN, SECOND_PLAN] as const;
export const TASKS = ['A', 'B', 'C'] as const;

export type Texts = Record<string, string>;

const HEADERS: Record<string, string> = {
  [PLAN]: '---\ntype: workplan\nid: SIM\n---\n\n# Simulation\n\n',
  [SECOND_PLAN]: '---\ntype: workplan\nid: SIM2\n---\n\n# Later\n\n',
};

// Tasks far apart, so concurrent edits of different tasks merge without conflicts.
const block = (t: string) =>
  `## Task ${t}\n\n\`\`\`task\nid: ${t}\nstatus: todo\npriority: medium\n\`\`\`\n\nProse about ${t}.\nMore prose.\nEven more prose.\n`;

/** The texts the first commit holds: every task in the first file, the second without tasks. */
export function initialTexts(): Texts {
  return { [PLAN]: HEADERS[PLAN] + TASKS.map(block).join('\n'), [SECOND_PLAN]: HEADERS[SECOND_PLAN]! };
}

/** The text with every status value hidden: what no writeback may change. */
export const mask = (text: string) => text.replace(/^(status:[ \t]*)[a-z_]+/gm, '$1•');

/** Every task's status across the files; fails unless each task is in exactly one block. */
export function statusesOf(texts: Texts): Record<string, Status> {
  const statuses = presentStatusesOf(texts);
  const missing = TASKS.filter((t) => !(t in statuses));
  if (missing.length > 0) throw new Error(`tasks ${missing.join(', ')} are in no block`);
  return statuses;
}

/**
 * The status of each task the files hold, failing if one is in two blocks: a commit in the middle of
 * a move made in two commits holds the moved task in none.
 */
export function presentStatusesOf(texts: Texts): Record<string, Status> {
  const statuses: Record<string, Status> = {};
  for (const file of PLANS) {
    for (const t of parseWorkplan(texts[file] ?? '', file).tasks) {
      if (t.id in statuses) throw new Error(`task ${t.id} is in two blocks`);
      statuses[t.id] = t.status;
    }
  }
  return statuses;
}

const split = (text: string) => {
  const [header, ...blocks] = text.split(/^(?=## Task )/m);
  return { header: header!, blocks: blocks.map((b) => `${b.trimEnd()}\n`) };
};
const join = (header: string, blocks: string[]) => header + blocks.join('\n');
const fileOf = (texts: Texts, task: string) => PLANS.find((f) => split(texts[f] ?? '').blocks.some((b) => b.startsWith(`## Task ${task}\n`)))!;

/** Sets a task's status wherever its block is. */
export function withStatus(texts: Texts, task: string, status: Status): Texts {
  const file = fileOf(texts, task);
  const edited = editStatusInText(texts[file]!, task, status);
  if (!edited.ok) throw new Error(`harness: cannot set ${task}: ${edited.reason}`);
  return { ...texts, [file]: edited.text };
}

/** The task's block moved to the other file, at position `pick` among the blocks there. */
export function moveBlock(texts: Texts, task: string, pick: number): Texts {
  const from = fileOf(texts, task);
  const to = PLANS.find((f) => f !== from)!;
  const source = split(texts[from]!);
  const target = split(texts[to]!);
  const moved = source.blocks.find((b) => b.startsWith(`## Task ${task}\n`))!;
  const at = pick % (target.blocks.length + 1);
  target.blocks.splice(at, 0, moved);
  return {
    ...texts,
    [from]: join(
      source.header,
      source.blocks.filter((b) => b !== moved),
    ),
    [to]: join(target.header, target.blocks),
  };
}

/** Two neighbouring blocks of the task's file swapped; the same texts when it is alone there. */
export function reorderBlocks(texts: Texts, task: string): Texts {
  const file = fileOf(texts, task);
  const { header, blocks } = split(texts[file]!);
  if (blocks.length < 2) return texts;
  const i = blocks.findIndex((b) => b.startsWith(`## Task ${task}\n`));
  const j = i + 1 < blocks.length ? i + 1 : i - 1;
  [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  return { ...texts, [file]: join(header, blocks) };
}

/** A comment added to the task's status line, or the one there taken away; the value stays. */
export function recomment(texts: Texts, task: string, note: number): Texts {
  const file = fileOf(texts, task);
  const { header, blocks } = split(texts[file]!);
  const edited = blocks.map((b) =>
    b.startsWith(`## Task ${task}\n`)
      ? b.replace(/^(status: [a-z_]+)(.*)$/m, (_all, line: string, comment: string) => (comment ? line : `${line}   # note ${note}`))
      : b,
  );
  return { ...texts, [file]: join(header, edited) };
}
