import { execSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (no network here).
const chromium = process.env.CHROMIUM_PATH || execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/bash' }).toString().trim();

const baseArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PORT = Number(process.env.E2E_PORT ?? 4173);
export const TEST_HUB_PORT = Number(process.env.TEST_HUB_PORT ?? 8765);

export default defineConfig({
  testDir: 'e2e',
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
      testIgnore: /webgpu\.spec\.ts/,
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
