import matter from 'gray-matter';
import { isAlias, isMap, isScalar, parseDocument, parse as parseYaml, type Scalar } from 'yaml';
import { type FailCode, type Finding, failure, warning } from '../findings.js';
import { isStatus, type Status } from '../status.js';
import { type FenceBody, fenceBody } from './fence-body.js';
import { simpleMapping, valuesOf } from './simple-mapping.js';
import { scanMarkdown, type FencedTaskBlock, type MarkdownScan } from './markdown.js';
import { freeTextProblem, idProblem, TEXT_LIMITS } from './storable-text.js';
import { yamlReason } from '../yaml-reason.js';

/** One task read from a workplan file. */
export interface Task {
  id: string;
  status: Status;
  title: string;
  priority: string | null;
  /** The hub's id for the task, when the file carries one (`state_hub_task_id`). */
  hubId: string | null;
  /** Every field of the block, as YAML read it. */
  fields: Record<string, unknown>;
  file: string;
  /** 1-based line of the `status:` value. */
  line: number;
}

/** Where a task's status value sits in the text, for a byte-exact edit. */
export interface StatusSpan {
  start: number;
  end: number;
  style: 'plain' | 'double' | 'single';
}

export interface ParsedBlock {
  block: FencedTaskBlock;
  /** The task's id when it could be read, even from a malformed block. */
  id: string | null;
  task: Task | null;
  span: StatusSpan | null;
  findings: Finding[];
}

export interface Workplan {
  file: string;
  frontMatter: Record<string, unknown>;
  /** Front matter says `type: workplan`, or the file holds at least one task block. */
  isWorkplan: boolean;
  tasks: Task[];
  /** Ids of tasks that are present but could not be read; never written to, never flagged missing. */
  unreadableIds: string[];
  findings: Finding[];
}

export const ID_LINE = /^[ \t]*id:[ \t]*["']?([^"'#\s]+)/m;

function lineOf(scan: MarkdownScan, offset: number): number {
  let lo = 0;
  let hi = scan.lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (scan.lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function spanStyle(type: Scalar.Type | undefined): StatusSpan['style'] | null {
  if (type === 'PLAIN') return 'plain';
  if (type === 'QUOTE_DOUBLE') return 'double';
  if (type === 'QUOTE_SINGLE') return 'single';
  return null;
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

function textField(name: string, value: string | null, max: number): string | null {
  const problem = value === null ? null : freeTextProblem(value, max);
  return problem && `${name} ${problem}`;
}

/** Reads one task block; `text` is the whole file so that spans are absolute. */
/** A block's failure, built with the rough id the block seems to carry. */
type Fail = (code: FailCode, message: string, line?: number) => ParsedBlock;

export function parseBlock(text: string, scan: MarkdownScan, block: FencedTaskBlock, file: string): ParsedBlock {
  const openLine = block.openLine + 1;
  const body = text.slice(block.bodyStart, block.bodyEnd);
  const roughId = ID_LINE.exec(body)?.[1] ?? null;
  const fail: Fail = (code, message, line = openLine) => ({
    block,
    id: roughId,
    task: null,
    span: null,
    findings: [failure(code, { file, line, message, ...(roughId ? { taskId: roughId } : {}) })],
  });

  if (block.closeLine === null) return fail('C-03', 'task block opened here never closes');
  const yaml = mappingOf(fenceBody(text, scan, block), scan, block, fail);
  if ('failed' in yaml) return yaml.failed;
  const { status: statusNode, fields } = yaml;
  const id = idOf(fields.id);
  if (id === null) return fail('C-04', 'task block has no id');
  const withId = (r: ParsedBlock): ParsedBlock => ({ ...r, id, findings: r.findings.map((f) => ({ ...f, taskId: id })) });
  const badId = idProblem(id);
  if (badId) {
    // Reported by its position and an escaped spelling: the id itself is what cannot be shown or stored.
    return {
      block,
      id: null,
      task: null,
      span: null,
      findings: [failure('C-09', { file, line: openLine, message: `task id ${JSON.stringify(id)} ${badId}` })],
    };
  }
  const status = statusOf(statusNode, text, scan, block, id, fail);
  if ('failed' in status) return withId(status.failed);

  const title = block.title ?? id;
  const priority = fields.priority == null ? null : String(fields.priority);
  const hubId = fields.state_hub_task_id == null ? null : String(fields.state_hub_task_id);
  const badText =
    textField('title', title, TEXT_LIMITS.title) ??
    textField('priority', priority, TEXT_LIMITS.priority) ??
    textField('state_hub_task_id', hubId, TEXT_LIMITS.hubId);
  if (badText) return withId(fail('C-09', `task '${id}': ${badText}`));
  const task: Task = { id, status: status.value, title, priority, hubId, fields, file, line: status.line };
  return { block, id, task, span: status.span, findings: [] };
}

/** A block's `status` as read: its value, its place in the body, and the style a writeback may replace (null for one it must not). */
interface StatusNode {
  value: unknown;
  /** Offsets in the file, quotes included; absent for a value YAML gives no place. */
  range?: [number, number];
  scalar: boolean;
  /** Given as a YAML alias (`*name`): its text is not the value, so it is never written. */
  alias?: true;
  style: StatusSpan['style'] | null;
}

/** The block's plain values and its status, read by the simple reader when it can and by YAML otherwise, or the block's failure. */
function mappingOf(
  body: FenceBody,
  scan: MarkdownScan,
  block: FencedTaskBlock,
  fail: Fail,
): { failed: ParsedBlock } | { status: StatusNode | undefined; fields: Record<string, unknown> } {
  const simple = simpleMapping(body.lines);
  if (simple) {
    const status = simple.get('status');
    return {
      fields: valuesOf(simple),
      status: status && { value: status.value, range: [status.start, status.end], scalar: true, style: status.style },
    };
  }
  const doc = parseDocument(body.text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    // YAML may notice an unclosed value only at the end; name the block's last line, not the fence.
    const at = Math.min(body.fileOffset(error.pos[0]), Math.max(block.bodyStart, block.bodyEnd - 1));
    return { failed: fail('C-02', `invalid YAML in task block: ${yamlReason(error.message)}`, lineOf(scan, at)) };
  }
  const contents = doc.contents;
  if (!isMap(contents)) return { failed: fail('C-02', 'task block is not a YAML mapping') };
  let fields: Record<string, unknown>;
  try {
    fields = doc.toJS() as Record<string, unknown>;
  } catch (error) {
    // yaml refuses to expand more than 100 aliases (a "billion laughs" block): this block only.
    return { failed: fail('C-02', `task block cannot be read: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`) };
  }
  // An id that YAML reads as a number (`007`, `2.10`, `0x1F`) is the id as written: its numeric
  // value would be another id (`7`, `2.1`, `31`), and two sections `2.1` and `2.10` one task.
  const idNode: unknown = contents.get('id', true);
  if (isScalar(idNode) && typeof idNode.value === 'number' && idNode.type === 'PLAIN' && idNode.source) fields = { ...fields, id: idNode.source };
  const node: unknown = contents.get('status', true);
  if (node === undefined) return { fields, status: undefined };
  const found = (node as { range?: [number, number, number] }).range;
  const range = found ? { range: [body.fileOffset(found[0]), body.fileOffset(found[1])] as [number, number] } : {};
  return {
    fields,
    status: isScalar(node)
      ? { value: node.value, ...range, scalar: true, style: spanStyle(node.type) }
      : { value: undefined, ...range, scalar: false, ...(isAlias(node) ? { alias: true as const } : {}), style: null },
  };
}

/** The status, its line, and the span a writeback may replace (null for a value it must not touch), or the block's failure. */
function statusOf(
  node: StatusNode | undefined,
  text: string,
  scan: MarkdownScan,
  block: FencedTaskBlock,
  id: string,
  fail: Fail,
): { failed: ParsedBlock } | { value: Status; line: number; span: ParsedBlock['span'] } {
  if (node === undefined || (node.scalar && (node.value === null || node.value === ''))) {
    return { failed: fail('C-07', `task '${id}' has no status`) };
  }
  const line = node.range ? lineOf(scan, node.range[0]) : block.openLine + 1;
  if (node.alias) return { failed: fail('C-06', `task '${id}' gives its status through a YAML alias: write the status itself there`, line) };
  if (!node.scalar || !isStatus(node.value)) {
    const shown = node.scalar ? String(node.value) : 'a collection';
    return { failed: fail('C-06', `task '${id}' has unknown status '${shown}' (expected todo, in_progress, blocked, done or cancelled)`, line) };
  }
  const [start, end] = node.range!;
  const raw = text.slice(start, end);
  const span = node.style && !raw.includes('\n') ? { start, end, style: node.style } : null;
  return { value: node.value, line, span };
}

/** The workplan's `id` and `title` go to the hub: one it cannot store is dropped (the file's path stands in) and reported. */
function checkedFrontMatter(data: Record<string, unknown>, file: string): { data: Record<string, unknown>; finding?: Finding } {
  const problems = (['id', 'title'] as const).flatMap((key) => {
    const value = data[key];
    const problem = typeof value === 'string' ? freeTextProblem(value, key === 'id' ? TEXT_LIMITS.workplanId : TEXT_LIMITS.workplanTitle) : null;
    return problem ? [{ key, problem }] : [];
  });
  if (problems.length === 0) return { data };
  const kept = { ...data };
  for (const { key } of problems) delete kept[key];
  const message = `front matter ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`;
  return { data: kept, finding: failure('C-09', { file, line: 1, message }) };
}

function readFrontMatter(text: string, scan: MarkdownScan, file: string): { data: Record<string, unknown>; finding?: Finding } {
  if (scan.frontMatterEnd === null) return { data: {} };
  // The common shape, between two bare `---` lines, is read as gray-matter would read it without it.
  const inner =
    scan.lines[0]!.content === '---' && scan.lines[scan.frontMatterEnd]!.content === '---' ? simpleMapping(scan.lines.slice(1, scan.frontMatterEnd)) : null;
  if (inner) return checkedFrontMatter(valuesOf(inner), file);
  try {
    // Passing options turns off gray-matter's cache, which would keep every file alive.
    // Only the front matter goes in, with LF endings: gray-matter splits on "\n" and would leave "\r" in values.
    const head = text
      .slice(0, scan.lines[scan.frontMatterEnd + 1]?.start ?? text.length)
      .replace(/^\uFEFF/, '')
      .replace(/\r\n/g, '\n');
    const parsed = matter(head, { engines: { yaml: (s: string) => (parseYaml(s) ?? {}) as object } });
    const data = parsed.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('front matter is not a mapping');
    return checkedFrontMatter(data as Record<string, unknown>, file);
  } catch (error) {
    const reason = yamlReason(error instanceof Error ? error.message : String(error));
    return { data: {}, finding: failure('C-01', { file, line: 1, message: `front matter cannot be parsed: ${reason}` }) };
  }
}

/** Reads a workplan: its front matter, every task, and a finding for everything it cannot read. */
export function parseWorkplan(text: string, file: string): Workplan {
  const scan = scanMarkdown(text);
  const front = readFrontMatter(text, scan, file);
  const findings: Finding[] = front.finding ? [front.finding] : [];
  const isWorkplan = front.data.type === 'workplan' || scan.taskBlocks.length > 0;

  if (scan.conflictLine !== null) {
    // A file mid-conflict says two things at once: read nothing from it and never write to it.
    const ids = scan.taskBlocks.map((b) => ID_LINE.exec(text.slice(b.bodyStart, b.bodyEnd))?.[1]).filter((id): id is string => !!id);
    findings.push(failure('C-08', { file, line: scan.conflictLine + 1, message: 'file contains merge conflict markers; its tasks are skipped' }));
    return { file, frontMatter: front.data, isWorkplan, tasks: [], unreadableIds: ids, findings };
  }

  for (const at of scan.unreadFences)
    findings.push(
      warning('C-28', {
        file,
        line: at + 1,
        message:
          'a ```task fence inside a block quote, a list item or raw HTML, or indented as code, is not read: move it to the left margin, after a blank line',
      }),
    );
  const tasks: Task[] = [];
  const unreadableIds: string[] = [];
  for (const block of scan.taskBlocks) {
    const parsed = parseBlock(text, scan, block, file);
    findings.push(...parsed.findings);
    if (parsed.task) tasks.push(parsed.task);
    else if (parsed.id) unreadableIds.push(parsed.id);
  }
  return { file, frontMatter: front.data, isWorkplan, tasks, unreadableIds, findings };
}
