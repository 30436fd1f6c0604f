import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tools/chromium';

const chromium = chromiumPath();
const baseArgs = CHROMIUM_ARGS;

const PORT = Number(process.env.E2E_PORT ?? 4173);
export const TEST_HUB_PORT = Number(process.env.TEST_HUB_PORT ?? 8765);

export default defineConfig({
  testDir: 'e2e',
  // Firefox and WebKit run their own contract (e2e/engines/playwright.config.ts).
  testIgnore: /engines\//,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}`, trace: 'off', screenshot: 'only-on-failure' },
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // A local stand-in for the Hugging Face Hub (tools/hub/serveTestHub.ts): no network here.
      command: `npx tsx tools/hub/serveTestHub.ts`,
      url: `http://127.0.0.1:${TEST_HUB_PORT}/hubtest/demo-embed/resolve/main/config.json`,
      env: { TEST_HUB_PORT: String(TEST_HUB_PORT) },
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
  projects: [
    {
      name: 'wasm',
      testIgnore: [/webgpu\.spec\.ts/, /engines\//],
      use: { launchOptions: { executablePath: chromium, args: baseArgs } },
      metadata: { backend: 'wasm' },
    },
    {
      name: 'webgpu',
      // The backend-sensitive specs: parity of the explorer and the analyses with Node, the demo
      // pair's key tokens, the WebGPU checks. Hub and retrieval logic do not depend on the backend
      // and run on WASM only, which keeps CI under its time limit.
      testMatch: /(explorer|analyses|demo-pair|webgpu)\.spec\.ts/,
      use: { launchOptions: { executablePath: chromium, args: [...baseArgs, '--enable-unsafe-webgpu'] } },
      metadata: { backend: 'webgpu' },
    },
  ],
});
