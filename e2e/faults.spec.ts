import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { type Fault, setFaults } from '../tools/hub/hubServer';
import { expect, referenceSession, shownIds, test } from './fixtures';
import { spaHost } from './staticHosts';

// The fault matrix's subset for the browser (the whole matrix: cli/faultMatrix.test.ts; docs/faults.md): every
// code path a Hub file takes in the page — a body's weights as a Blob from the disk cache (JSPI, the default in
// Chromium), as bytes (?ort=nojspi), W's Range reads — each meeting faults it must heal from, or report in one
// message that names the repo, the file and the cause, with the previous pair still there and loading again working.
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO_FROM_HUB = `hub:hubtest/demo-embed;hubtest/demo-base;${DEMO_POOLING}`;
const REPOS = ['hubtest/demo-embed', 'hubtest/demo-base'];
const TEXT = 'A man is playing the guitar on a stage.';

/** What no message a user reads may contain: a JavaScript error's words instead of a sentence. */
const RAW_ERROR = /Cannot read properties|undefined|Unexpected token|is not a function|\n\s+at |\[object /;

/** W's bytes in hubtest/demo-base/model.safetensors start after its header: faults on them spare the header's reads. */
async function wRange(): Promise<[number, number]> {
  const file = `${HUB}/hubtest/demo-base/resolve/main/model.safetensors`;
  const length = new Uint8Array(await (await fetch(file, { headers: { Range: 'bytes=0-7' } })).arrayBuffer());
  const size = Number((await fetch(file, { method: 'HEAD' })).headers.get('Content-Length'));
  return [8 + Number(new DataView(length.buffer).getBigUint64(0, true)), size];
}

/** Opens a link onto the Hub pair and, asked whether to contact that Hub, says yes. */
async function openHubPair(page: Page, base = '/', extra: Record<string, string> = {}) {
  await page.goto(`${base}?${new URLSearchParams({ pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, backend: 'wasm', ...extra })}`);
  await expect(page.getByTestId('link-question')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('confirm-load').click();
}

/** Loads the Hub pair through the pair picker, as a user does (the page keeps what it has until it loads). */
async function pickHubPair(page: Page) {
  const picker = page.getByTestId('pair-picker');
  if ((await picker.getAttribute('open')) === null) await picker.locator('summary').click();
  await page.getByTestId('pair-mode-custom').check();
  await page.getByTestId('pair-embed').fill(REPOS[0]);
  await page.getByTestId('pair-base').fill(REPOS[1]);
  await page.getByTestId('pair-pooling').selectOption(DEMO_POOLING);
  await page.getByTestId('pair-hub-url').fill(HUB);
  await page.getByTestId('pair-load').click();
}

async function expectHubPairReady(page: Page) {
  await expect(page.getByTestId('model-status')).toContainText('hubtest/demo-embed', { timeout: 90_000 });
  await expect(page.getByTestId('model-status')).toContainText('ready');
  const reference = await (await referenceSession()).align(1, TEXT, 10, 0);
  await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
  await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
}

/**
 * Every Hub file in the browser's model cache is the Hub's file: byte for byte, or (a split body, externalDataFetch.ts)
 * its `_data` is the server's graph file and its graph is smaller.
 */
async function expectSoundCache(page: Page) {
  const entries = await page.evaluate(async () => {
    const cache = await caches.open('transformers-cache');
    return Promise.all(
      (await cache.keys()).map(async (key) => {
        const bytes = await (await cache.match(key))!.arrayBuffer();
        const sha = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
        return { url: key.url, size: bytes.byteLength, sha };
      }),
    );
  });
  for (const { url, size, sha } of entries) {
    if (!url.startsWith(HUB)) continue;
    const served = Buffer.from(await (await fetch(url.replace(/\.onnx_data$/, '.onnx'))).arrayBuffer());
    if (url.endsWith('.onnx')) expect(size, url).toBeLessThan(served.length);
    else expect(sha, url).toBe(createHash('sha256').update(served).digest('hex'));
  }
}

/** The one message the page shows: names the repo, the file and the cause, in words. */
async function expectOneMessage(page: Page, repo: string, file: string, cause: RegExp) {
  const error = page.getByTestId('error');
  await expect(error).toContainText(cause, { timeout: 90_000 });
  const text = (await error.textContent()) ?? '';
  expect(text).not.toMatch(RAW_ERROR);
  expect(text).toContain(repo);
  expect(text).toContain(file);
}

test.describe('faults on every code path of a Hub load, in the browser', () => {
  test.afterEach(() => setFaults(HUB, []));

  test('a host that answers unknown paths with its index page: 503 once on the first HEAD and GET of every file heals, and no Hub file is asked of the app', async ({
    page,
  }) => {
    const host = await spaHost('/lens/');
    try {
      const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'model.safetensors'];
      await setFaults(
        HUB,
        REPOS.flatMap((repo) =>
          files.flatMap((file) =>
            (['HEAD', 'GET'] as const).map((method): Fault => ({ match: `${repo}/resolve/main/${file}`, method, kind: 'status', status: 503, times: 1 })),
          ),
        ),
      );
      await openHubPair(page, host.url);
      await expectHubPairReady(page);
      await expect(page.getByTestId('error')).toHaveCount(0);
      // The app's origin was asked for none of the pair's files (a page in their place would have been taken for them).
      expect(host.fallbacks().filter((path) => REPOS.some((repo) => path.includes(repo)) || /tokenizer|config\.json|\.onnx/.test(path))).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  test('disk-cache Blobs (JSPI): a body cut off mid-way and an HTML page for a tokenizer are retried; the pair loads', async ({ page }) => {
    await setFaults(HUB, [
      { match: 'demo-embed/onnx/model.onnx', method: 'GET', kind: 'truncate', times: 1 },
      { match: 'demo-base/onnx/model.onnx', method: 'GET', kind: 'truncate', times: 1 },
      { match: 'demo-embed/resolve/main/tokenizer.json', kind: 'html', times: 1 },
    ]);
    await openHubPair(page);
    await expectHubPairReady(page);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-weights', 'disk cache');
    await expectSoundCache(page);
  });

  test('bytes (?ort=nojspi) and W: cut-offs on a body and on W, an HTML page for a W read, a reset, are retried; the pair loads', async ({ page }) => {
    await setFaults(HUB, [
      { match: 'demo-base/onnx/model.onnx', method: 'GET', kind: 'truncate', times: 1 },
      { match: 'demo-embed/onnx/model.onnx', method: 'GET', kind: 'reset', times: 1 },
      { match: 'demo-base/model.safetensors', kind: 'truncate', range: await wRange(), times: 1 },
      { match: 'demo-base/model.safetensors', kind: 'html', range: await wRange(), times: 1 },
    ]);
    await openHubPair(page, '/', { ort: 'nojspi' });
    await expectHubPairReady(page);
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-weights', 'bytes');
    await expectSoundCache(page);
  });

  const failures: [string, Fault, string, string, RegExp][] = [
    [
      '404 EntryNotFound for tokenizer_config.json',
      { match: 'demo-base/resolve/main/tokenizer_config.json', method: 'GET', kind: 'status', status: 404, errorCode: 'EntryNotFound', times: 1 },
      'hubtest/demo-base',
      'tokenizer_config.json',
      /the repository has no such file \(404 EntryNotFound\)/,
    ],
    [
      '503 four times on W (Range reads)',
      { match: 'demo-base/model.safetensors', kind: 'status', status: 503, times: 4 },
      'hubtest/demo-base',
      'model.safetensors',
      /answered 503 .*4 times/,
    ],
    [
      '401 RepoNotFound for a body (disk-cache Blob path)',
      { match: 'demo-embed/onnx/model.onnx', method: 'GET', kind: 'status', status: 401, errorCode: 'RepoNotFound', times: 1 },
      'hubtest/demo-embed',
      'onnx/model.onnx',
      /no such repository on the Hub, or it is private \(401 RepoNotFound/,
    ],
    [
      '403 GatedRepo for config.json',
      { match: 'demo-embed/resolve/main/config.json', kind: 'status', status: 403, errorCode: 'GatedRepo', times: 1 },
      'hubtest/demo-embed',
      'config.json',
      /is gated \(403 GatedRepo.*accept its licence on the Hub and sign in/,
    ],
  ];
  for (const [name, fault, repo, file, cause] of failures) {
    test(`one message, the previous pair kept, nothing broken cached, loading again works: ${name}`, async ({ page, openLens }) => {
      await openLens({ text: TEXT });
      await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
      const before = await shownIds(page, 'aligned-embed');
      await setFaults(HUB, [fault]);
      await pickHubPair(page);
      await expectOneMessage(page, repo, file, cause);
      await expect(page.getByTestId('model-status')).toContainText('Demo');
      expect(await shownIds(page, 'aligned-embed')).toEqual(before);
      await expectSoundCache(page);
      // The server is healthy again: the same pair loads in the same tab.
      await setFaults(HUB, []);
      await pickHubPair(page);
      await expectHubPairReady(page);
      await expectSoundCache(page);
    });
  }

  test('a download that stops sending: Cancel ends it at once, and the previous pair is back', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await setFaults(HUB, [{ match: 'demo-base/onnx/model.onnx', method: 'GET', kind: 'stall', stallMs: 120_000, times: 1 }]);
    await pickHubPair(page);
    await expect(page.getByTestId('download-cancel')).toBeVisible({ timeout: 30_000 });
    // Wait until the stalled body is on its way (the stand-in has answered its first half).
    await expect.poll(async () => (await (await fetch(`${HUB}/_faults`)).json())[0]?.times, { timeout: 60_000 }).toBe(0);
    const started = Date.now();
    await page.getByTestId('download-cancel').click();
    await expect(page.getByTestId('page-notice')).toContainText('cancelled');
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 30_000 });
    await expect(page.getByTestId('model-status')).toContainText('Demo');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
