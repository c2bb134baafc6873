import fc from 'fast-check';
import { CLONES, type Fault, type SimWorld, TASKS } from './sim-world.js';

/** The steps a simulation schedule is made of, as data fast-check can generate and shrink. */
const clone = fc.constantFrom(...CLONES);
const task = fc.constantFrom(...TASKS);
const pick = fc.nat(3);
const fault = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault>('none') },
  { weight: 1, arbitrary: fc.constantFrom<Fault>('hubDown', 'commitFails', 'killed', 'race') },
);
export const step = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('edit' as const), c: clone, t: task, s: pick, pull: fc.boolean(), push: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('agent' as const), t: task, s: pick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('pull' as const), c: clone, rebase: fc.boolean(), hook: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('push' as const), c: clone, hook: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('run' as const),
      c: clone,
      writeback: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      fault,
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('squash' as const), c: clone }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('rewrite' as const), c: fc.constantFrom('a', 'b', 'c') }) },
);
export type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

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
      if (s.hook) await world.run(s.c, { writeback: false, fault: 'none', hook: 'pre-push' });
      return world.push(s.c);
    case 'run':
      return world.run(s.c, { writeback: s.writeback, fault: s.fault });
    case 'squash':
      return world.squash(s.c);
    case 'rewrite':
      return world.amendAndForcePush(s.c);
  }
}
