import { expect, test } from './fixtures';

// WASM only (the webgpu project does not run this file): on WebGPU the load-time
// canary loads a WASM twin of both bodies, a second read by design.
test('loading a pair downloads each model file once', async ({ page, openLens }) => {
  const bodyRequests = new Map<string, number>();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/models/') && request.method() === 'GET') bodyRequests.set(path, (bodyRequests.get(path) ?? 0) + 1);
  });
  await openLens();
  const onnx = [...bodyRequests].filter(([path]) => path.endsWith('.onnx'));
  expect(onnx.length).toBe(2); // the embedder's and the base model's
  expect([...bodyRequests].filter(([, count]) => count > 1)).toEqual([]);
});

test('a load step that never settles is named on the status line; Retry starts it afresh, and the pair loads once nothing stalls', async ({ page }) => {
  // debug=stall-download: the first graph download of each worker never settles (worker/steps.ts); the watchdog waits 3 s.
  await page.goto(`/?${new URLSearchParams({ pair: 'demo', debug: 'stall-download' })}`);
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-stalled', /.+/, { timeout: 30_000 });
  await expect(status).toContainText(/loading… waiting for the download of .*model\.onnx for \d+ s…/);
  await expect(page.getByTestId('download-cancel')).toBeVisible();
  await page.getByTestId('load-retry').click();
  // A fresh worker, the same pair: the status is a plain load again, then names the same step once it stalls again.
  await expect(status).not.toHaveAttribute('data-stalled', /.+/, { timeout: 5_000 });
  await expect(status).toHaveAttribute('data-stalled', /.+/, { timeout: 30_000 });
  // Without the seam the same page loads the pair.
  await page.goto(`/?${new URLSearchParams({ pair: 'demo' })}`);
  await expect(status).toContainText(/ready/, { timeout: 30_000 });
  await expect(status).not.toHaveAttribute('data-stalled', /.+/);
});
