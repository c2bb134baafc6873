import { colors as pc } from '../output/colors.js';
import { UserError } from '../errors.js';
import { chooseHub, type HubChoice, redactLocation } from '../hub/location.js';
import { jsonDocument } from '../output/json-envelope.js';
import { openHub } from '../hub/open.js';
import type { Hub, HubTask } from '../hub/types.js';
import { openRepo } from '../repo.js';
import { isSlug } from '../repo-slug.js';
import { machineName } from '../machine.js';
import { printable } from '../output/printable.js';
import { isStatus, STATUSES } from '../status.js';

/**
 * The repo's slug and the hub to ask: inside a repo, its `.custodian.yml` hub; with `--repo`
 * from anywhere, CUSTODIAN_HUB or the embedded store.
 */
async function target(options: { repo?: string; cwd: string }): Promise<{ repo: string; choice: HubChoice }> {
  if (options.repo !== undefined) {
    // '' was taken for no --repo at all, and the repo around the current directory answered.
    if (!isSlug(options.repo)) throw new UserError(`--repo: '${options.repo}' is not a repo slug (name or owner/name, as \`custodian-hooks status\` shows it)`);
    return { repo: options.repo, choice: chooseHub() };
  }
  const repo = await openRepo(options.cwd);
  return { repo: repo.slug, choice: chooseHub(process.env, repo.config.hub, repo.top) };
}

async function withHub<T>(choice: HubChoice, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await openHub(choice);
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

/** `task set ID STATUS`: what an agent on another machine runs. Version-checked, so it never overwrites unseen. */
export async function taskSet(
  id: string,
  status: string,
  options: { repo?: string; cwd: string; expectVersion?: string; why?: string },
  write: (text: string) => void,
): Promise<void> {
  if (!isStatus(status)) throw new UserError(`unknown status '${status}': use one of ${STATUSES.join(', ')}`);
  const { repo, choice } = await target(options);
  await withHub(choice, async (hub) => {
    let expectedVersion = options.expectVersion === undefined ? undefined : Number(options.expectVersion);
    if (expectedVersion !== undefined && !(Number.isInteger(expectedVersion) && expectedVersion > 0))
      throw new UserError(`--expect-version must be a positive integer`);
    if (expectedVersion === undefined) {
      const state = await hub.readRepo(repo);
      const task = state === 'not-modified' ? undefined : state.tasks.find((t) => t.id === id);
      if (!task) throw new UserError(`no task '${id}' in repo '${repo}' at ${hub.location}`, 1);
      expectedVersion = task.version;
    }
    const result = await hub.setStatus({ repo, id, status, expectedVersion, by: machineName(), ...(options.why ? { why: options.why } : {}) });
    if (!result.ok) throw new UserError(`task '${id}' changed meanwhile (now ${result.current.status}, version ${result.current.version}); nothing written`, 1);
    write(`${printable(id)}: ${result.task.status} (version ${result.task.version})\n`);
  });
}

export async function taskList(options: { repo?: string; cwd: string; json: boolean }, write: (text: string) => void): Promise<void> {
  const { repo, choice } = await target(options);
  await withHub(choice, async (hub) => {
    const state = await hub.readRepo(repo);
    const tasks: HubTask[] = state === 'not-modified' ? [] : state.tasks;
    if (options.json) {
      write(jsonDocument('task-list', { repo, hub: redactLocation(choice.location), tasks: tasks.map(({ points: _points, ...task }) => task) }));
      return;
    }
    write(`${pc.bold(repo)} at ${hub.location}: ${tasks.length} tasks\n`);
    for (const t of tasks) {
      write(`  ${printable(t.id).padEnd(24)} ${t.status.padEnd(11)} v${String(t.version).padEnd(4)} ${pc.dim(printable(`${t.updatedAt} ${t.updatedBy}`))}\n`);
    }
  });
}
