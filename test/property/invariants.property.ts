/**
 * The seven invariants of the timing model as properties over generated
 * schedules: 1–5 tabs opening and closing, activity bursts, app requests and
 * another device, sleeps, every kind of server answer, "Stay signed in",
 * sign-out and pages leaving. Each schedule is checked after every step.
 *
 * PROPERTY_RUNS (default 1000), PROPERTY_SEED (default fixed, so CI is
 * reproducible; `random` for a new one, printed), PROPERTY_TIME_LIMIT
 * (seconds; `npm run fuzz` sets 600 and 100,000 runs).
 * A failure prints the seed, the path and the shrunk schedule; keep it as a
 * plain test in regressions.property.ts.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { NAMES, checked } from './invariants.js';
import { play, scheduleArb } from './schedule.js';

const runs = Number(process.env.PROPERTY_RUNS) || 1000;
const given = process.env.PROPERTY_SEED;
const seed = given === 'random' ? Date.now() % 2 ** 31 : given ? Number(given) : 20261130;
const timeLimit = Number(process.env.PROPERTY_TIME_LIMIT) || 0;

test(`the seven invariants hold over ${runs} generated schedules (seed ${seed})`, async () => {
  const started = performance.now();
  let played = 0;
  await fc.assert(
    fc.asyncProperty(scheduleArb, async (schedule) => {
      played++;
      await play(schedule);
    }),
    {
      numRuns: runs,
      seed,
      endOnFailure: false,
      ...(timeLimit ? { interruptAfterTimeLimit: timeLimit * 1000, markInterruptAsFailure: false } : {}),
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${played} schedules (shrinking included) in ${seconds} s; checks per invariant:`);
  for (const [n, count] of Object.entries(checked)) console.log(`  ${n}. ${NAMES[Number(n)].padEnd(22)} ${count}`);
});
