/**
 * Every finding the tool can report, in one catalogue. C-11, C-13 and C-14 keep the spec's
 * meanings and messages; the rest are ours. The README's table is written from this one.
 */
export type Severity = 'INFO' | 'WARN' | 'FAIL';

export const CODES = {
  'C-01': 'front matter cannot be parsed',
  'C-02': 'task block is not valid YAML (or not a mapping)',
  'C-03': 'task block never closes',
  'C-04': 'task has no id',
  'C-05': 'task id is used more than once in the repo',
  'C-06': 'task status is not one of todo, in_progress, blocked, done, cancelled',
  'C-07': 'task has no status',
  'C-08': 'file contains merge conflict markers',
  'C-09': 'task id, title or priority the hub cannot store (control characters in an id, NUL, invalid Unicode, too long)',
  'C-11': 'file status is newer than the hub (pushed to the hub)',
  'C-13': 'DB task ahead of workplan file — regression prevented',
  'C-14': 'repo behind remote tracking branch, or workplan with uncommitted changes',
  'C-20': 'task is in a file but not in the hub (created in the hub)',
  'C-21': 'task is in the hub but in no file (never deleted automatically)',
  'C-22': 'file and hub both changed since they last agreed (rank decides, hub on a tie)',
  'C-23': 'hub unreachable or answering nonsense',
  'C-24': 'repo not in a state to reconcile (merge, rebase, detached HEAD, untracked branch)',
  'C-25': 'writeback could not be written or committed',
  'C-26': 'hub refused a change made concurrently (re-planned)',
} as const;

export type Code = keyof typeof CODES;

export interface Finding {
  code: Code;
  severity: Severity;
  message: string;
  taskId?: string;
  file?: string;
  line?: number;
  expected?: string;
  actual?: string;
}

export function hasFailure(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'FAIL');
}
