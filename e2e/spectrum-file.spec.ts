import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { runLens } from '../tools/runCommand';
import { expect, test } from './fixtures';

// A spectrum file written by `lens spectrum`, opened in the app for a Hub pair (the stand-in Hub,
// tools/hub/serveTestHub.ts): the slider moves along its u₁ at once, and the next visit starts with it.
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO = { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base' };
const DEMO_FROM_HUB = `hub:${DEMO.embed};${DEMO.base};${DEMO_POOLING}`;
const TEXT = 'A man is playing the guitar on a stage.';

const scratch = mkdtempSync(join(tmpdir(), 'e2e-spectrum-'));
const demoFile = join(scratch, 'demo-hub.json');
const otherFile = join(scratch, 'test-tiny.json');
let written: { variation: number[]; sampleSize: number };
/** A plain web server for the URL form (any origin may read it, as a raw GitHub file): the demo file, else 404. */
let server: Server;
let serverUrl: string;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const cli = (args: string[]) => runLens(['spectrum', ...args]);
  const [demo, other] = await Promise.all([
    cli(['--embed', DEMO.embed, '--base', DEMO.base, '--pooling', DEMO_POOLING, '--hub-url', HUB, '--cache-dir', join(scratch, 'cache'), '--out', demoFile]),
    cli(['--pair', 'test-tiny', '--out', otherFile]),
  ]);
  expect(demo.code, demo.stderr).toBe(0);
  expect(other.code, other.stderr).toBe(0);
  written = JSON.parse(readFileSync(demoFile, 'utf8'));
  server = createServer((req, res) => {
    if (req.url === '/spectra/demo-hub.json')
      res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }).end(readFileSync(demoFile));
    else res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
test.afterAll(() => server?.close());

/** Opens a link onto the Hub pair, says yes to contacting the stand-in Hub, and waits for the pair. */
async function openHubPair(page: Page, params: Record<string, string>) {
  await page.goto(`/?${new URLSearchParams({ pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, ...params })}`);
  await expect(page.getByTestId('link-question')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('confirm-load').click();
  await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
}

const footnote = (page: Page) => page.locator('p.footnote').filter({ hasText: /^u₁ and v₁ from / });

test('a spectrum file from `lens spectrum` opens for the Hub pair: the slider at once, its v₁, the footnote naming it; another pair’s is refused', async ({
  page,
  backend,
}) => {
  await openHubPair(page, { backend });
  await page.getByTestId('spectrum-file').locator('summary').click();
  await page.getByTestId('spectrum-file-input').setInputFiles(demoFile);
  // At once: the file's direction, not the sample's (whose estimate it ends).
  await expect(footnote(page)).toContainText(`u₁ and v₁ from the spectrum file demo-hub.json (${written.sampleSize} sample sentences)`, { timeout: 5_000 });
  await expect(page.getByTestId('lambda-v1')).toBeEnabled({ timeout: 1_000 });
  await expect(page.getByTestId('direction-status')).toHaveCount(0);
  await expect(footnote(page)).toContainText(`v₁ = ${written.variation[0].toFixed(3)}`);
  await expect(page.getByTestId('lambda-slider')).toHaveAttribute('aria-valuetext', new RegExp(`v1 = ${written.variation[0].toFixed(2)}`));
  // Written on the CPU by the CLI, used here on WASM: said, not refused.
  await expect(page.getByTestId('spectrum-notice')).toContainText(/demo-hub\.json: it was computed in fp32 on cpu, and the pair runs \w+ on wasm/);
  // The slider moves the base column along it.
  const base0 = await page.getByTestId('aligned-base').getByTestId('aligned-token').allTextContents();
  await page.getByTestId('lambda-v1').click();
  await expect.poll(() => page.getByTestId('aligned-base').getByTestId('aligned-token').allTextContents()).not.toEqual(base0);

  // Another pair's spectrum: one message naming the cause, the direction kept.
  await page.getByTestId('spectrum-file-input').setInputFiles(otherFile);
  await expect(page.getByTestId('error')).toContainText(
    'test-tiny.json is not applied (the slider keeps its direction): it was computed on test-tiny/embed with test-tiny/base, not on the loaded pair',
  );
  await expect(footnote(page)).toContainText('from the spectrum file demo-hub.json');
  await expect(footnote(page)).toContainText(`v₁ = ${written.variation[0].toFixed(3)}`);
  // A URL that is a 404, or an HTML page (the app's own fallback): one sentence each, no JavaScript error.
  await page.getByTestId('spectrum-url').fill(`${serverUrl}/spectra/missing.json`);
  await page.getByTestId('spectrum-url-open').click();
  await expect(page.getByTestId('error')).toContainText(`The spectrum file ${serverUrl}/spectra/missing.json could not be fetched: the server answered 404`);
  await page.getByTestId('spectrum-url').fill('/no/such/spectrum.json');
  await page.getByTestId('spectrum-url-open').click();
  await expect(page.getByTestId('error')).toContainText(/spectrum\.json is not a spectrum file written by `lens spectrum`: it is an HTML page/);
  await expect(footnote(page)).toContainText('from the spectrum file demo-hub.json');

  // Kept like the sample's spectrum: the next visit starts with it.
  await openHubPair(page, { backend });
  await expect(footnote(page)).toContainText('u₁ and v₁ from the spectrum file demo-hub.json (200 sample sentences, kept from an earlier visit)');
  await expect(page.getByTestId('lambda-v1')).toBeEnabled({ timeout: 1_000 });
  await expect(page.getByTestId('direction-status')).toHaveCount(0);
});

test('?spectrum=<url> opens a spectrum file for the pair a link opens', async ({ page, backend }) => {
  const url = `${serverUrl}/spectra/demo-hub.json`;
  await openHubPair(page, { backend, spectrum: url });
  await expect(footnote(page)).toContainText(`u₁ and v₁ from the spectrum file ${url} (${written.sampleSize} sample sentences)`);
  await expect(footnote(page)).toContainText(`v₁ = ${written.variation[0].toFixed(3)}`);
  await expect(page.getByTestId('lambda-v1')).toBeEnabled({ timeout: 1_000 });
  await expect(page.getByTestId('error')).toHaveCount(0);
});
