#!/usr/bin/env node
// Runs every check the project has and ends with one line: "N passed, N failed, N skipped".
// Steps: typecheck, lint + format + import order (Biome), import graph, workflow check (actionlint), unit tests (Vitest), build, e2e (Playwright in Debian's Chromium),
// then the e2e contract on Debian's Firefox ESR and WebKitGTK (e2e/engines/).
// A step that is not a test runner (typecheck, lint, build) counts as one test. Skipped tests are
// counted from the runners' JSON reports (a skipped test is never counted as passed).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

// Absolute: Playwright resolves a relative PLAYWRIGHT_JSON_OUTPUT_NAME against the config's folder (e2e/engines/ for the other engines).
const REPORTS = resolve('.cache/test-reports');
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const skips = [];

/** Each step's wall time, printed at the end: where the suite's minutes go. */
const stageTimes = [];

function run(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const start = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  stageTimes.push(`${name} ${((Date.now() - start) / 60_000).toFixed(1)} min`);
  return result.status === 0;
}

function step(name, command, args) {
  if (run(name, command, args)) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

function runner(name, command, args, report, count) {
  const ok = run(name, command, args);
  let counts;
  try {
    counts = count(JSON.parse(readFileSync(report, 'utf8')));
  } catch {
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  if (!ok && counts.failed === 0) counts.failed = 1; // the runner failed outside any test
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  if (counts.failed) failures.push(`${name} (${counts.failed})`);
  if (counts.skipped) skips.push(`${name} (${counts.skipped})`);
}

step('typecheck', 'npx', ['tsc', '-b']);
step('lint, format and import order (Biome)', 'npx', ['biome', 'check', '.']);
step('import graph (cycles, layering)', 'node', ['tools/check-deps.mjs']);
step('workflows', 'node', ['tools/check-workflows.mjs']);
runner('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORTS}/unit.json`], `${REPORTS}/unit.json`, (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0),
  skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
}));
step('build', 'npx', ['vite', 'build']);
const playwrightCounts = (r) => ({ passed: r.stats.expected, failed: r.stats.unexpected + r.stats.flaky, skipped: r.stats.skipped });
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = `${REPORTS}/e2e.json`;
runner('e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], `${REPORTS}/e2e.json`, playwrightCounts);
// The same contract on Firefox ESR (WebDriver BiDi) and WebKitGTK (WebDriver, under Xvfb): e2e/engines/.
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = `${REPORTS}/engines.json`;
runner(
  'e2e on Firefox and WebKit',
  'npx',
  ['playwright', 'test', '-c', 'e2e/engines/playwright.config.ts', '--reporter=list,json'],
  `${REPORTS}/engines.json`,
  playwrightCounts,
);

console.log(`\nStage times: ${stageTimes.join('; ')}`);
if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
if (skips.length) console.log(`\nSkipped: ${skips.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
