import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Records every total the loading panel shows (its bytes and its text), from the page's first render on. */
async function recordTotals(page: Page) {
  await page.addInitScript(() => {
    const shown: string[] = [];
    (window as unknown as { shownTotals: string[] }).shownTotals = shown;
    const watch = () =>
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="download-total"]');
        const seen = el && `${el.getAttribute('data-total-bytes')}|${el.getAttribute('data-exact')}|${el.textContent}`;
        if (seen && shown.at(-1) !== seen) shown.push(seen);
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    document.addEventListener('DOMContentLoaded', watch);
  });
  return () => page.evaluate(() => (window as unknown as { shownTotals: string[] }).shownTotals);
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

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

test("the loading panel's total is the demo pair's files on disk, from the first total shown to the last", async ({ page, backend }) => {
  // A new user saw "2.6 MB" here: a finished file counted 1 byte, so once both bodies were in only W's 2.6 MB was left.
  const shownTotals = await recordTotals(page);
  const downloaded = new Set<string>();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/models/') && request.method() === 'GET') downloaded.add(path.slice('/models/'.length));
  });
  await page.goto(`/?${new URLSearchParams({ pair: 'demo', backend })}`);
  await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });

  // What the load read, after its manifest (read first, to know what to read): every file under models/demo but the
  // base model's tokenizer (a shipped pair's base reads with its embedder's tokenizer, runtime/loadPair.ts).
  const onDisk = filesUnder('models/demo').map((f) => relative('models', f));
  const read = [...downloaded].filter((f) => f !== 'demo/manifest.json').sort();
  expect(onDisk.filter((f) => !downloaded.has(f)).sort()).toEqual(['demo/base/tokenizer.json', 'demo/base/tokenizer_config.json']);
  const bytes = read.reduce((n, f) => n + statSync(join('models', f)).size, 0);
  expect(bytes).toBeGreaterThan(23_000_000); // two 10.3 MB bodies, W's 2.6 MB and their small files

  const totals = await shownTotals();
  expect(totals.length).toBeGreaterThan(0);
  for (const shown of totals) {
    const [total, exact, text] = shown.split('|');
    expect({ total: Number(total), exact, text }).toEqual({ total: bytes, exact: 'true', text: expect.stringMatching(new RegExp(` / ${mb(bytes)}$`)) });
  }
});

test('the total is the whole pair before the bodies arrive (a body download that never settles)', async ({ page }) => {
  await page.goto(`/?${new URLSearchParams({ pair: 'demo', debug: 'stall-download' })}`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-stalled', /.+/, { timeout: 30_000 });
  const bytes = filesUnder('models/demo')
    .filter((f) => !/manifest\.json$|base\/tokenizer/.test(f))
    .reduce((n, f) => n + statSync(f).size, 0);
  await expect(page.getByTestId('download-total')).toHaveText(new RegExp(`^[\\d.]+ MB / ${mb(bytes)}$`));
  await expect(page.getByTestId('download-total')).toHaveAttribute('data-total-bytes', String(bytes));
});
