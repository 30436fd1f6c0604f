import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

/**
 * The contract on the other engines (contract.spec.ts): Playwright's runner, reports and servers, the
 * browsers driven by their own clients (drivers.ts). `npx playwright test -c e2e/engines/playwright.config.ts`.
 */
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /contract\.spec\.ts/,
  testIgnore: [],
  timeout: 150_000,
  // The same servers, started from the repository's root.
  webServer: [base.webServer ?? []].flat().map((server) => ({ ...server, cwd: resolve(import.meta.dirname, '../..') })),
  projects: [
    { name: 'firefox', metadata: { engine: 'firefox' } },
    { name: 'webkit', metadata: { engine: 'webkit' } },
  ],
});
