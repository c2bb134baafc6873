import fc from 'fast-check';
import { CLONES, type Fault, type SimWorld, TASKS } from './sim-world.js';

/**
 * The steps a simulation schedule is made of, as data fast-check can generate and shrink. The
 * classic world's steps come first; each twist of the real world (Rules v2, DESIGN.md) is a
 * switch that adds its kind of step, as the model's WORLD=1 does.
 */
export const TWISTS = [
  'move',
  'reorder',
  'comment',
  'shallow',
  'blame',
  'offline',
  'outage',
  'autostash',
  'restore',
  'fork',
  'retention',
  'amend',
  'abort',
] as const;
export type Twist = (typeof TWISTS)[number];

/** `SIM_WORLD=all` or a comma-separated list of twists; unset: the classic world. */
export function twistsFrom(setting: string | undefined): Set<Twist> {
  if (!setting) return new Set();
  if (setting === 'all') return new Set(TWISTS);
  const named = setting.split(',').map((s) => s.trim());
  const unknown = named.filter((n) => !(TWISTS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`SIM_WORLD: unknown twist ${unknown.join(', ')} (known: all, ${TWISTS.join(', ')})`);
  return new Set(named as Twist[]);
}

const clone = fc.constantFrom(...CLONES);
const task = fc.constantFrom(...TASKS);
const pick = fc.nat(3);
const fault = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault>('none') },
  { weight: 1, arbitrary: fc.constantFrom<Fault>('hubDown', 'commitFails', 'killed', 'race') },
);
const writeback = fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

const classic = [
  { weight: 4, arbitrary: fc.record({ k: fc.constant('edit' as const), c: clone, t: task, s: pick, pull: fc.boolean(), push: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('agent' as const), t: task, s: pick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('pull' as const), c: clone, rebase: fc.boolean(), hook: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('push' as const), c: clone, hook: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('run' as const), c: clone, writeback, fault }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('squash' as const), c: clone }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rewrite' as const), c: fc.constantFrom('a', 'b', 'c') }) },
];

const touch = (how: 'move' | 'reorder' | 'comment') =>
  fc.record({ k: fc.constant('touch' as const), how: fc.constant(how), c: clone, t: task, s: pick, push: fc.boolean() });

/** Each twist's steps; retention is a setting of the hub, not a step. */
const twisted: Record<Twist, { weight: number; arbitrary: fc.Arbitrary<Step> }[]> = {
  move: [{ weight: 2, arbitrary: touch('move') }],
  reorder: [{ weight: 1, arbitrary: touch('reorder') }],
  comment: [{ weight: 2, arbitrary: touch('comment') }],
  shallow: [{ weight: 2, arbitrary: fc.record({ k: fc.constant('reclone' as const) }) }],
  blame: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('blame' as const), c: clone }) }],
  offline: [
    { weight: 2, arbitrary: fc.record({ k: fc.constant('network' as const), c: clone, noUpstream: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('run' as const), c: clone, writeback, fault: fc.constant<Fault>('none'), pull: fc.constant(true) }) },
  ],
  outage: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('outage' as const), c: clone }) }],
  autostash: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('autostash' as const), c: clone, t: task, s: pick }) }],
  restore: [
    { weight: 1, arbitrary: fc.record({ k: fc.constant('backup' as const) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('restore' as const) }) },
  ],
  fork: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('fork' as const), c: clone }) }],
  retention: [],
  amend: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('amend' as const), c: clone, t: task, s: pick }) }],
  abort: [{ weight: 1, arbitrary: fc.record({ k: fc.constant('abort' as const), c: clone }) }],
};

export type Step =
  | { k: 'edit'; c: string; t: string; s: number; pull: boolean; push: boolean }
  | { k: 'agent'; t: string; s: number }
  | { k: 'pull'; c: string; rebase: boolean; hook: boolean }
  | { k: 'push'; c: string; hook: boolean }
  | { k: 'run'; c: string; writeback: boolean; fault: Fault; pull?: boolean }
  | { k: 'squash'; c: string }
  | { k: 'rewrite'; c: string }
  | { k: 'touch'; how: 'move' | 'reorder' | 'comment'; c: string; t: string; s: number; push: boolean }
  | { k: 'reclone' }
  | { k: 'blame'; c: string }
  | { k: 'network'; c: string; noUpstream: boolean }
  | { k: 'outage'; c: string }
  | { k: 'autostash'; c: string; t: string; s: number }
  | { k: 'backup' }
  | { k: 'restore' }
  | { k: 'fork'; c: string }
  | { k: 'amend'; c: string; t: string; s: number }
  | { k: 'abort'; c: string };

/** One step of a world with these twists; without any, exactly the classic world's steps. */
export function stepOf(twists: ReadonlySet<Twist>): fc.Arbitrary<Step> {
  return fc.oneof(...classic, ...TWISTS.filter((t) => twists.has(t)).flatMap((t) => twisted[t])) as fc.Arbitrary<Step>;
}

export const step = stepOf(new Set());

export async function play(world: SimWorld, s: Step): Promise<void> {
  switch (s.k) {
    case 'edit':
      if (s.pull) await world.pull(s.c, false);
      await world.edit(s.c, s.t, s.s);
      if (s.push) await world.push(s.c);
      return;
    case 'agent':
      return world.agent(s.t, s.s);
    case 'pull': {
      const before = await world.head(s.c);
      await world.pull(s.c, s.rebase);
      // With hooks installed, a pull that moved HEAD runs post-merge (or post-rewrite).
      if (s.hook && (await world.head(s.c)) !== before)
        await world.run(s.c, { writeback: true, fault: 'none', hook: s.rebase ? 'post-rewrite' : 'post-merge' });
      return;
    }
    case 'push':
      // Offline, git cannot reach the remote and runs no pre-push hook.
      if (s.hook && !world.offline(s.c)) await world.run(s.c, { writeback: false, fault: 'none', hook: 'pre-push' });
      return world.push(s.c);
    case 'run':
      return world.run(s.c, { writeback: s.writeback, fault: s.fault, ...(s.pull ? { pull: true } : {}) });
    case 'squash':
      return world.squash(s.c);
    case 'rewrite':
      return world.amendAndForcePush(s.c);
    case 'touch':
      await world.touch(s.c, s.how, s.t, s.s);
      if (s.push) await world.push(s.c);
      return;
    case 'reclone':
      return world.recloneShallow();
    case 'blame':
      return world.toggleBlame(s.c);
    case 'network':
      return world.toggleNetwork(s.c, s.noUpstream);
    case 'outage': {
      // `git pull --rebase` over the clone's unpushed commits (a writeback among them, often) while the hub is down.
      const before = await world.head(s.c);
      await world.pullDuringOutage(s.c);
      if ((await world.head(s.c)) !== before) await world.run(s.c, { writeback: true, fault: 'hubDown', hook: 'post-rewrite' });
      return;
    }
    case 'autostash':
      return world.autostashPull(s.c, s.t, s.s);
    case 'backup':
      return world.backUpHub();
    case 'restore':
      return world.restoreHub();
    case 'fork':
      return world.pushToFork(s.c);
    case 'amend':
      return world.amend(s.c, s.t, s.s);
    case 'abort':
      return world.abortedPull(s.c);
  }
}
