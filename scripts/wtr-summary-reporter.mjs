// A web-test-runner reporter that writes the counts of a run to a JSON file, so
// that scripts/test.mjs can print one `N passed, N failed` line for all test
// parts. Used next to the default reporter, which still prints everything.
//
// The file is named by the env variable WTR_SUMMARY_FILE; without it this
// reporter does nothing. Shape:
//   { passed, failed, skipped, sessions: [{ testFile, browser, passed, failed, skipped, errors }] }
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** Counts the tests of one suite tree (session.testResults). */
function countSuite(suite, counts = { passed: 0, failed: 0, skipped: 0 }) {
  if (!suite) return counts;
  for (const test of suite.tests ?? []) {
    if (test.skipped) counts.skipped++;
    else if (test.passed) counts.passed++;
    else counts.failed++;
  }
  for (const child of suite.suites ?? []) countSuite(child, counts);
  return counts;
}

/**
 * A session whose file failed to load, threw outside a test, timed out or
 * broke the browser has `passed: false` with no failing test in its results:
 * count it as one failure, so that a run that broke can never read as green.
 */
export function summarizeSessions(sessions, rootDir = process.cwd()) {
  const total = { passed: 0, failed: 0, skipped: 0, sessions: [] };
  for (const session of sessions) {
    const counts = countSuite(session.testResults);
    const errors = (session.errors ?? []).map((e) => e?.message ?? String(e));
    if (session.passed === false && counts.failed === 0) counts.failed = 1;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    total.sessions.push({
      testFile: relative(rootDir, session.testFile),
      browser: session.browser?.name ?? 'unknown',
      ...counts,
      errors,
    });
  }
  return total;
}

/** @returns {import('@web/test-runner').Reporter} */
export function summaryReporter({ file = process.env.WTR_SUMMARY_FILE } = {}) {
  let rootDir = process.cwd();
  return {
    start({ config }) {
      rootDir = config.rootDir ?? rootDir;
    },
    onTestRunFinished({ sessions }) {
      if (!file) return;
      const summary = summarizeSessions(sessions, rootDir);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
    },
  };
}
