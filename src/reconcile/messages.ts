import { type Finding, finding, type Mode } from '../findings.js';
import type { HubTask } from '../hub/types.js';
import { shellWord } from '../shell-words.js';
import type { Status } from '../status.js';
import type { Unknown } from './plan.js';
import type { FileTask } from './types.js';

/** The findings the reconciler reports; C-13's text is the spec's, word for word. */

const at = (task: FileTask) => ({ taskId: task.id, file: task.file, line: task.line });

export function hubAhead(task: FileTask, db: Status, mode: Mode): Finding {
  return finding('C-13', mode, {
    ...at(task),
    message: `DB task '${task.title}' is ahead of file (db=${db}, file=${task.status}) — skipped to prevent regression`,
    expected: db,
    actual: task.status,
  });
}

export function fileAhead(task: FileTask, db: Status, mode: Mode): Finding {
  return finding('C-11', mode, {
    ...at(task),
    message: `Task '${task.title}' is newer in the file (file=${task.status}, db=${db}) — ${mode === 'fix' ? 'pushed to DB' : 'run --fix to push it to DB'}`,
    expected: task.status,
    actual: db,
  });
}

export function bothMoved(task: FileTask, db: Status, winner: 'file' | 'db', mode: Mode): Finding {
  const why = winner === 'file' ? 'the file has the higher rank and wins' : 'the DB wins (higher rank, or a tie)';
  return finding('C-22', mode, {
    ...at(task),
    message: `Task '${task.title}' changed in both the file and the DB since they last agreed (file=${task.status}, db=${db}) — ${why}`,
  });
}

export function missingInHub(task: FileTask, mode: Mode): Finding {
  return finding('C-20', mode, {
    ...at(task),
    message: `Task '${task.title}' is not in the DB — ${mode === 'fix' ? `created as ${task.status}` : 'run --fix to create it'}`,
  });
}

export function inNoFile(task: HubTask, mode: Mode): Finding {
  return finding('C-21', mode, {
    taskId: task.id,
    message: `DB task '${task.title}' (${task.id}, ${task.status}) is in no workplan file — left in the DB, never deleted automatically`,
  });
}

/**
 * What settles a task no run can decide: the two sides made equal, to the status a person wants.
 * Setting one side to a third status leaves them differing, and the next run just as undecided.
 * Neither side is offered as the answer: which is newer is the very fact the rules lack.
 */
const makeEqual = (task: FileTask, db: Status) =>
  "make the two sides equal, to the status you want (`custodian-hooks task list` shows who last changed the hub's, and when): " +
  `${db} written into the file and committed keeps the hub's, \`custodian-hooks task set ${task.id.startsWith('-') ? '-- ' : ''}${shellWord(task.id)} ${task.status}\` ` +
  "keeps the file's, and any other status goes in both; then run again";

const UNKNOWN: Record<Unknown, (task: FileTask, db: Status) => string> = {
  origin: () =>
    "git could not say which commit set its status (blame failed, the history ends at a shallow clone's boundary, a partial clone is offline, " +
    'or a git setting breaks blame) — left as it is on both sides; in a shallow clone run `git fetch --unshallow`, else go online, then run again',
  blind: (task, db) =>
    'the hub has heard of commits this clone does not have (another machine synced since) — left as it is on both sides; ' +
    `pull (and let that machine push), then run again; if that commit is gone for good (rebased or reset away without the hooks), ${makeEqual(task, db)}`,
  dropped: (task, db) =>
    'the hub has dropped the older sync records of this task, so when the two sides last agreed is not known — left as it is on both sides; ' +
    makeEqual(task, db),
  concurrent: (task, db) =>
    "the file's status was set on a line of history the last agreement never saw, and the hub has dropped records that could tell — " +
    `left as it is on both sides; ${makeEqual(task, db)}`,
  merge: (task, db) =>
    "another clone's merge driver settled this task in a merge this clone does not have (not pulled yet, dropped by a force-push, or aborted), " +
    "and may have overruled the file's value there — left as it is on both sides; pull, then run again; if that merge is gone for good, " +
    makeEqual(task, db),
  unrecorded: (task, db) =>
    "another clone's writeback commit this clone holds agreed with the hub after the oldest record the hub keeps of this task, " +
    'and no record stands for it (the hub restored from a backup, or the commit a copy under a new id: a cherry-pick, an amend ' +
    "or rebase no hook saw), so whether the hub's status is older is not known — left as it is on both sides; let the clone that " +
    `made the writeback run (it keeps its own record), then run again; else ${makeEqual(task, db)}`,
  copy: (task, db) =>
    "the commit that set the file's status has the same files and parents as one the hub has heard of, by another author or at another time: " +
    'git cannot say whether it is that change made again (a rewrite that reset the author) or a new edit — ' +
    `left as it is on both sides; ${makeEqual(task, db)}`,
};

/** A task the rules could not decide: a fact they need is missing (DESIGN.md, "Rules v2", 2). */
export function undecided(task: FileTask, db: Status, why: Unknown, mode: Mode): Finding {
  return finding('C-27', mode, { ...at(task), message: `Task '${task.title}' differs (file=${task.status}, db=${db}) but ${UNKNOWN[why](task, db)}` });
}
