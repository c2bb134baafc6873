/**
 * Every finding the tool can report, in one catalogue: its severity in check and fix mode, and
 * what it means. C-11, C-13 and C-14 keep the spec's meanings and messages; the rest are ours.
 * The README's table is this catalogue printed (a test keeps the two equal), and every finding is
 * made through `finding()`, so a severity cannot drift from what the table promises.
 */
export type Severity = 'INFO' | 'WARN' | 'FAIL';
export type Mode = 'check' | 'fix';

/** One severity in both modes, or one per mode. */
type Severities = Severity | { readonly check: Severity; readonly fix: Severity };

interface Check {
  readonly severity: Severities;
  /** The README's words for it. */
  readonly meaning: string;
}

const REPORTED = { check: 'WARN', fix: 'INFO' } as const;
const GATED = { check: 'INFO', fix: 'WARN' } as const;

export const CHECKS = {
  'C-01': { severity: 'FAIL', meaning: 'front matter cannot be parsed (the tasks are still read)' },
  'C-02': { severity: 'FAIL', meaning: 'a task block is not valid YAML, or not a mapping, or expands more than 100 aliases' },
  'C-03': { severity: 'FAIL', meaning: 'a task block never closes' },
  'C-04': { severity: 'FAIL', meaning: 'a task has no `id`' },
  'C-05': { severity: 'FAIL', meaning: 'a task id is used more than once in the repo; every copy is skipped' },
  'C-06': { severity: 'FAIL', meaning: 'a status other than `todo`, `in_progress`, `blocked`, `done`, `cancelled`' },
  'C-07': { severity: 'FAIL', meaning: 'a task has no `status`' },
  'C-08': { severity: 'FAIL', meaning: 'the file has merge conflict markers; none of its tasks are read or written' },
  'C-09': {
    severity: 'FAIL',
    meaning:
      "a task (or the front matter's `id`/`title`) holds text the hub cannot store: an id with a control character (tab, newline), or `.`/`..`; " +
      'NUL or invalid Unicode (a lone surrogate from a YAML escape); longer than the contract allows (id 200, title 1000, priority 100). ' +
      'That task is skipped; the rest of the repo syncs',
  },
  'C-11': { severity: REPORTED, meaning: "the file's status is newer than the hub's: pushed to the hub" },
  'C-13': {
    severity: 'WARN',
    meaning: "`DB task '{title}' is ahead of file (db=…, file=…) — skipped to prevent regression`: the hub's status is kept and written back",
  },
  'C-14': {
    severity: GATED,
    meaning:
      "`Repo '{slug}' is behind remote — pull before fixing to avoid clobbering remote progress` (nothing written), " +
      "or `workplan has uncommitted changes — skipping writeback` (that file's tasks skipped), or a failed `--pull` (WARN)",
  },
  'C-20': { severity: REPORTED, meaning: 'a task in a file is not in the hub: created' },
  'C-21': { severity: 'WARN', meaning: 'a hub task is in no file: left in the hub, never deleted automatically' },
  'C-22': { severity: 'WARN', meaning: 'file and hub both changed since they last agreed: the higher rank won, the hub on a tie' },
  'C-23': { severity: 'WARN', meaning: 'the hub is unreachable, answered nonsense, or refused the batch (413: too large): nothing reconciled' },
  'C-24': {
    severity: GATED,
    meaning:
      'not a state to write in; `situation` says which: `operation` (merge or rebase in progress), `detached` (detached HEAD), ' +
      '`untracked-branch`, and, INFO in both modes, `run-in-progress` (another run holds the lock) and `no-commits`',
  },
  'C-25': {
    severity: 'WARN',
    meaning:
      "the writeback could not be committed or landed (for example a held `index.lock`), or one task's status cannot be written " +
      '(file and line named); the rest of the run went on',
  },
  'C-26': { severity: 'WARN', meaning: 'the hub kept changing under the run (refused three times for stale versions): nothing written' },
  'C-27': {
    severity: 'WARN',
    meaning:
      'file and hub differ, but a fact the rules need could not be had (which commit set the value: blame failed, a shallow boundary, ' +
      'a partial clone offline; or hub records this clone cannot judge or the hub has dropped): ' +
      'that task is neither pushed nor written back, and the message says what fixes it; the rest of the run goes on',
  },
  'C-28': {
    severity: 'WARN',
    meaning:
      'a ```task fence inside a block quote, a list item or raw HTML (not a comment), or indented as code, is no task block as Markdown reads it: ' +
      'it is not read; move it to the left margin, after a blank line',
  },
} as const satisfies Record<string, Check>;

export type Code = keyof typeof CHECKS;

/** Why a repo is not in a state to write in (C-24); the last two are no one's fault, so INFO in both modes. */
export type Situation = 'operation' | 'detached' | 'untracked-branch' | 'run-in-progress' | 'no-commits';
const QUIET_SITUATIONS: readonly Situation[] = ['run-in-progress', 'no-commits'];

export interface Finding {
  code: Code;
  severity: Severity;
  message: string;
  /** For C-24: which state it was. */
  situation?: Situation;
  taskId?: string;
  file?: string;
  line?: number;
  expected?: string;
  actual?: string;
}

/** A finding's severity in `mode`, as the catalogue says. */
export function severityOf(code: Code, mode: Mode, situation?: Situation): Severity {
  if (situation && QUIET_SITUATIONS.includes(situation)) return 'INFO';
  const severity: Severities = CHECKS[code].severity;
  return typeof severity === 'string' ? severity : severity[mode];
}

/** Codes of one severity in every mode: what a parser reports without knowing the mode. */
type CodeOf<S extends Severity> = { [C in Code]: (typeof CHECKS)[C]['severity'] extends S ? C : never }[Code];
export type FailCode = CodeOf<'FAIL'>;

/** A finding, its severity taken from the catalogue. */
export function finding(code: Code, mode: Mode, fields: Omit<Finding, 'code' | 'severity'>): Finding {
  return { code, severity: severityOf(code, mode, fields.situation), ...fields };
}

/** A finding of a code that fails in every mode. */
export function failure(code: FailCode, fields: Omit<Finding, 'code' | 'severity'>): Finding {
  return { code, severity: 'FAIL', ...fields };
}

/** A finding of a code that warns in every mode. */
export function warning(code: CodeOf<'WARN'>, fields: Omit<Finding, 'code' | 'severity'>): Finding {
  return { code, severity: 'WARN', ...fields };
}

function severityText(code: Code): string {
  const severity: Severities = CHECKS[code].severity;
  if (typeof severity === 'string') return severity;
  return `${severity.check} (check) / ${severity.fix} (fix)`;
}

/** The README's table of check codes. */
export function checkTable(): string {
  const rows = (Object.keys(CHECKS) as Code[]).map((code) => `| ${code} | ${severityText(code)} | ${CHECKS[code].meaning} |`);
  return ['| code | severity | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function hasFailure(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'FAIL');
}
