/**
 * Generated schedules (fast-check) and the driver that plays one against a
 * World, checking the invariants after every step.
 */
import fc from 'fast-check';
import { Checker } from './invariants.js';
import { World, type Forgery, type Mode } from './world.js';

export const MODES: readonly Mode[] = [
  'normal',
  'slow',
  'timeout',
  'e500',
  'e503',
  'e403',
  'network',
  'login',
  'redirect',
  'e401',
  'e440',
  'noProgress',
  'absurdLimits',
  'absurdIdle',
  'keepaliveRefused',
];

export type Action =
  | { k: 'open' }
  | { k: 'close'; tab: number }
  | { k: 'activity'; tab: number; count: number; every: number }
  | { k: 'app' }
  | { k: 'sleep'; ms: number }
  | { k: 'mode'; mode: Mode }
  | { k: 'stay'; tab: number }
  | { k: 'signout'; tab: number }
  | { k: 'expireElsewhere' }
  /** A tab shown again from the back/forward cache (or the app calls check()): it asks the status at once. */
  | { k: 'restore'; tab: number }
  /** Script of the same origin posts on the tabs' channel, `times` times `every` ms apart (see World.forge). */
  | { k: 'forge'; what: Forgery; times?: number; every?: number };

export interface Step {
  /** ms to let pass before the action. */
  dt: number;
  action: Action;
}

export interface Schedule {
  seed: number;
  idle: number;
  lead: number;
  limitsGiven: boolean;
  steps: Step[];
}

const tab = fc.nat({ max: 4 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('activity' as const), tab, count: fc.integer({ min: 1, max: 6 }), every: fc.integer({ min: 50, max: 30_000 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('open' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), tab }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('app' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('sleep' as const), ms: fc.integer({ min: 500, max: 1_200_000 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('mode' as const), mode: fc.constantFrom(...MODES) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('stay' as const), tab }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('signout' as const), tab }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('expireElsewhere' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restore' as const), tab }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('forge' as const),
      what: fc.constantFrom<Forgery>('expire', 'limits', 'end', 'short'),
      // Mostly once; now and then again and again.
      times: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }) }),
      every: fc.integer({ min: 50, max: 2000 }),
    }),
  },
);

export const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  idle: fc.integer({ min: 20, max: 300 }),
  lead: fc.integer({ min: 20, max: 120 }),
  limitsGiven: fc.boolean(),
  steps: fc.array(
    fc.record({
      // Mostly within an idle period, now and then long after.
      dt: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 60_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 500_000 }) }),
      action,
    }),
    { minLength: 1, maxLength: 25 },
  ),
});

/** Play `schedule`; throws an InvariantError (or any error of the code) on the first broken promise. */
export async function play(schedule: Schedule, options: { priorIdleTime?: boolean } = {}): Promise<World> {
  const world = new World({
    seed: schedule.seed,
    idle: schedule.idle,
    timeout: schedule.idle + schedule.lead,
    limitsGiven: schedule.limitsGiven,
    priorIdleTime: options.priorIdleTime ?? true,
  });
  const checker = new Checker(world);
  // The last world played, for a debugger to look into.
  (globalThis as { __world?: World }).__world = world;
  world.onStep = () => checker.check();
  world.openTab();
  const pick = (i: number) => {
    const open = world.openTabs().filter((t) => t.engine.phase !== 'expired');
    return open.length ? open[i % open.length] : undefined;
  };
  for (const { dt, action } of schedule.steps) {
    await world.advanceTo(world.now + dt);
    if (sessionOver(world)) break;
    switch (action.k) {
      case 'open':
        if (world.openTabs().length < 5) world.openTab();
        break;
      case 'close': {
        const t = pick(action.tab);
        if (t && world.openTabs().length > 1) world.closeTab(t);
        break;
      }
      case 'activity': {
        const t = pick(action.tab);
        for (let i = 0; t && i < action.count; i++) {
          world.activity(t);
          await world.advanceTo(world.now + action.every);
        }
        break;
      }
      case 'app':
        world.app();
        break;
      case 'sleep':
        world.jump(action.ms);
        break;
      case 'mode':
        world.setMode(action.mode);
        break;
      case 'stay': {
        const t = pick(action.tab);
        if (t) await world.stay(t);
        break;
      }
      case 'signout': {
        const t = pick(action.tab);
        if (t) world.signOut(t);
        break;
      }
      case 'expireElsewhere':
        world.server.end(world.now);
        break;
      case 'restore': {
        const t = pick(action.tab);
        if (t) {
          world.restores.push(world.now);
          t.engine.wake(true);
        }
        break;
      }
      case 'forge':
        for (let i = 0; i < (action.times ?? 1); i++) {
          if (i) await world.advanceTo(world.now + (action.every ?? 0));
          world.forge(action.what);
        }
        break;
    }
    await world.advanceTo(world.now);
  }
  // Then nobody does anything: every tab must warn and leave on time.
  const end = world.now + (schedule.idle + schedule.lead) * 1000 * 2 + 120_000;
  while (world.now < end && !sessionOver(world)) await world.advanceTo(Math.min(end, world.now + 30_000));
  return world;
}

function sessionOver(world: World): boolean {
  return world.tabs.length > 0 && !world.server.alive && world.openTabs().every((t) => t.engine.phase === 'expired');
}
