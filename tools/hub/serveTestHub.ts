/**
 * The local Hub the e2e tests use (Playwright starts it): the test repos on
 *   :8765  normal (401/403 GatedRepo for hubtest/gated, hubtest/private; 401 RepoNotFound for unknown repos)
 *   :8766  a server that ignores HTTP Range
 *   :8767  a slow server (1.5 s per response), for cancelling a download
 */
import { startHubServer } from './hubServer';
import { buildTestHub, DENIED } from './testRepos';

const root = buildTestHub();
const base = Number(process.env.TEST_HUB_PORT ?? 8765);
await startHubServer({ roots: [root], port: base, denied: { ...DENIED } });
await startHubServer({ roots: [root], port: base + 1, ignoreRange: true });
await startHubServer({ roots: [root], port: base + 2, delayMs: 1500 });
console.log(`test Hub on :${base} (normal), :${base + 1} (no Range), :${base + 2} (slow), repos in ${root}`);
