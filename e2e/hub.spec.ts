import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { FaultKind } from '../src/shared/faultReport';
import { type Fault, setFaults } from '../tools/hub/hubServer';
import { expect, referenceSession, shownIds, test } from './fixtures';

// Hub pairs against the local stand-in Hub (tools/hub/serveTestHub.ts, started by Playwright).
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const NO_RANGE_HUB = `http://127.0.0.1:${Number(process.env.TEST_HUB_PORT ?? 8765) + 1}`;
const SLOW_HUB = `http://127.0.0.1:${Number(process.env.TEST_HUB_PORT ?? 8765) + 2}`;
// The demo pair as two Hub repos, with the pooling its manifest says.
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO_FROM_HUB = `hub:hubtest/demo-embed;hubtest/demo-base;${DEMO_POOLING}`;
const TEXT = 'A man is playing the guitar on a stage.';

/** Opens a link onto a Hub pair and, asked whether to contact that Hub, says yes. */
async function openLink(page: Page, params: Record<string, string>) {
  await page.goto(`/?${new URLSearchParams(params)}`);
  await expect(page.getByTestId('link-question')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('confirm-load').click();
}

/** Loads a custom pair through the pair picker, as a user does. */
async function loadCustomPair(page: Page, pair: { embed: string; base: string; pooling?: string; hub: string }) {
  const picker = page.getByTestId('pair-picker');
  if ((await picker.getAttribute('open')) === null) await picker.locator('summary').click();
  await page.getByTestId('pair-mode-custom').check();
  await page.getByTestId('pair-embed').fill(pair.embed);
  await page.getByTestId('pair-base').fill(pair.base);
  if (pair.pooling) await page.getByTestId('pair-pooling').selectOption(pair.pooling);
  await page.getByTestId('pair-hub-url').fill(pair.hub);
  await page.getByTestId('pair-load').click();
}

test.describe('Hub pairs', () => {
  test('a custom pair loads from the Hub (W by Range requests) and matches the same models from models/', async ({ page, backend }) => {
    await openLink(page, { pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, backend });
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    const reference = await (await referenceSession()).align(1, TEXT, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    // A Hub pair ships no spectrum: the tokens come first, the slider once the pair's sample is embedded.
    await expect(page.getByTestId('lambda-v1')).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByTestId('direction-status')).toHaveCount(0);
    await expect(page.getByText(/u₁ and v₁ from 200 sample sentences: /)).toBeVisible({ timeout: 60_000 });
    // The whole sample's u₁ replaced the early estimates the slider moved with: the footnote says by how much.
    await expect(page.getByTestId('direction-last-move')).toHaveText(/^ Its last update moved u₁ by \d+\.\d°\.$/);

    // Chromium has JSPI: onnxruntime read the weights as Blobs from the disk cache (worker/ortRuntime.ts).
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-weights', 'disk cache');
    // Each single-file body reached onnxruntime as graph + external data (runtime/externalDataFetch.ts):
    // the cache holds the graph without its weights and, as the data, the server's file byte for byte.
    const cached = await page.evaluate(async () => {
      const cache = await caches.open('transformers-cache');
      const sizes: Record<string, number> = {};
      for (const key of await cache.keys()) {
        const path = new URL(key.url).pathname;
        if (path.includes('/onnx/')) sizes[path.slice(path.indexOf('hubtest/'))] = (await (await cache.match(key))!.arrayBuffer()).byteLength;
      }
      return sizes;
    });
    for (const [repo, folder] of [
      ['hubtest/demo-embed', 'embed'],
      ['hubtest/demo-base', 'base'],
    ]) {
      const file = readFileSync(`models/demo/${folder}/onnx/model.onnx`).length;
      expect(cached[`${repo}/resolve/main/onnx/model.onnx_data`]).toBe(file);
      expect(cached[`${repo}/resolve/main/onnx/model.onnx`]).toBeLessThan(file / 20);
    }
    // A second visit reads both bodies from the cache (written as they streamed in): no model file is downloaded again.
    const again: string[] = [];
    page.on('request', (request) => {
      // HEAD requests and one-byte Range reads size the files; a plain GET would be a download.
      let first = request;
      while (first.redirectedFrom()) first = first.redirectedFrom()!; // the CDN hop of a Range read
      if (request.url().includes('/onnx/') && request.method() === 'GET' && !first.headers().range) again.push(request.url());
    });
    await openLink(page, { pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, backend });
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    expect(again).toEqual([]);
    // …and has its PC1 direction at once, the first visit's (runtime/direction.ts SpectrumStore): no sample embedded again.
    await expect(page.getByText(/u₁ and v₁ from 200 sample sentences \(kept from an earlier visit\): /)).toBeVisible();
    await expect(page.getByTestId('lambda-v1')).toBeEnabled();
    await expect(page.getByTestId('direction-status')).toHaveCount(0);

    // The cache manager lists what was downloaded, and deletes it.
    await page.getByTestId('cache-manager').locator('summary').click();
    await expect(page.getByTestId('cache-row').filter({ hasText: 'hubtest/demo-base' }).filter({ hasText: 'LM head' })).toBeVisible();
    await expect(page.getByTestId('cache-row').filter({ hasText: 'hubtest/demo-embed' }).filter({ hasText: 'PC1 direction' })).toBeVisible();
    await expect(page.getByTestId('cache-row').filter({ hasText: 'hubtest/demo-embed' }).filter({ hasText: 'model files' })).toBeVisible();
    await page.getByTestId('cache-clear').click();
    await expect(page.getByTestId('cache-row')).toHaveCount(0);
  });

  test('without JSPI (?ort=nojspi) the weights go to onnxruntime as bytes, with the same tokens', async ({ page, backend }) => {
    await openLink(page, { pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, backend, ort: 'nojspi' });
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-weights', 'bytes');
    const reference = await (await referenceSession()).align(1, TEXT, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
  });

  const failures: [string, string, string, RegExp][] = [
    [
      'unknown id (401 RepoNotFound)',
      `hub:nobody/missing-model;hubtest/demo-base;mean`,
      HUB,
      /nobody\/missing-model: no such repository on the Hub, or it is private \(401 RepoNotFound/,
    ],
    ['gated model (401 GatedRepo)', `hub:hubtest/gated;hubtest/demo-base;mean`, HUB, /hubtest\/gated is gated \(401 GatedRepo.*accept its licence/],
    ['gated model, signed in without access (403 GatedRepo)', `hub:hubtest/demo-embed;hubtest/private;mean`, HUB, /hubtest\/private is gated \(403 GatedRepo/],
    ['vocabularies differ', `hub:hubtest/tiny-embed;hubtest/demo-base;mean`, HUB, /vocabulary of 272 tokens.*8,192/],
    ['no Range support', DEMO_FROM_HUB, NO_RANGE_HUB, /ignored an HTTP Range request/],
    ['Hub unreachable', DEMO_FROM_HUB, 'http://127.0.0.1:9', /offline or unreachable/],
    ['not a model id', 'hub:not a model;hubtest/demo-base;mean', HUB, /not a Hub model id/],
  ];
  for (const [name, pair, hub, message] of failures) {
    test(`clear failure, view kept: ${name}`, async ({ page, backend }) => {
      // A link naming the failing pair (as a shared URL would): the user agrees to contact its Hub first.
      await openLink(page, { pair, hub, text: TEXT, backend });
      await expect(page.getByTestId('error')).toContainText(message, { timeout: 60_000 });
      await expect(page.getByTestId('text-input')).toHaveValue(TEXT);
    });
  }

  test('switching to a bad pair keeps the loaded pair and the text', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
    const before = await shownIds(page, 'aligned-embed');
    await loadCustomPair(page, { embed: 'hubtest/tiny-embed', base: 'hubtest/demo-base', hub: HUB });
    await expect(page.getByTestId('error')).toContainText('vocabulary of 272 tokens', { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toContainText('ready');
    expect(await shownIds(page, 'aligned-embed')).toEqual(before);
    await expect(page.getByTestId('text-input')).toHaveValue(TEXT);
  });

  test('a slow download can be cancelled; the previous pair comes back', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await loadCustomPair(page, { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING, hub: SLOW_HUB });
    await expect(page.getByTestId('download-cancel')).toBeVisible();
    await page.getByTestId('download-cancel').click();
    await expect(page.getByTestId('page-notice')).toContainText('cancelled');
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toContainText('Demo');
    await expect(page.getByTestId('text-input')).toHaveValue(TEXT);
  });
});

test.describe('a pair too large for memory', () => {
  // hubtest/huge-base declares a 64 GiB W (tools/hub/testRepos.ts).
  const pickHuge = (page: Page) => loadCustomPair(page, { embed: 'hubtest/demo-embed', base: 'hubtest/huge-base', pooling: DEMO_POOLING, hub: HUB });

  test('warns before downloading; Cancel keeps the loaded pair; Load anyway fails clearly and keeps it too', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
    const before = await shownIds(page, 'aligned-embed');

    await pickHuge(page);
    await expect(page.getByTestId('memory-warning')).toContainText(/needs about [\d,.]+ (GB|MB).*may not fit/, { timeout: 60_000 });
    await page.getByTestId('memory-warning').getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('model-status')).toContainText('ready');
    await expect(page.getByTestId('model-status')).toContainText('Demo');

    await pickHuge(page);
    await page.getByTestId('memory-warning').getByRole('button', { name: 'Load anyway' }).click();
    await expect(page.getByTestId('error')).toContainText(/GiB do not fit in this tab's memory/, { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toContainText('ready');
    expect(await shownIds(page, 'aligned-embed')).toEqual(before);
    await expect(page.getByTestId('text-input')).toHaveValue(TEXT);
  });
});

test.describe("catalog pairs from the Hub (stand-ins with the real repos' files)", () => {
  test('qwen3-0.6b from the catalog picker: variants with their sizes, q8 on WASM, the real vocabulary', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-catalog').selectOption('qwen3-0.6b');
    await expect(page.getByTestId('pair-note')).toContainText('post-trained Qwen3-0.6B, not Qwen3-0.6B-Base');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('backend-select').selectOption('wasm');
    await page.getByTestId('pair-inspect').click();
    // Every variant the repos have, each with the pair's download size in it.
    await expect(page.getByTestId('dtype-option')).toHaveText([/^fp32 · [\d.]+ MB$/, /^fp16 · /, /^q8 · /, /^q4 · /, /^q4f16 · /]);
    await expect(page.getByTestId('pair-sizes')).toContainText('q8 by default here');
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 120_000 });
    await expect(page.getByTestId('model-status')).toContainText(/Qwen3.*wasm q8/);
    await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
    // The tokenizer has 151,669 tokens; W's 267 padding rows are never shown.
    expect(Math.max(...(await shownIds(page, 'aligned-base')), ...(await shownIds(page, 'aligned-embed')))).toBeLessThan(151_669);
    await expect(page).toHaveURL(/pair=qwen3-0\.6b/);
  });

  test("qwen3-0.6b in fp32: weights in external data that the embedder's config.json does not declare", async ({ page, backend }) => {
    await openLink(page, { pair: 'qwen3-0.6b', hub: HUB, dtype: 'fp32', backend, text: TEXT });
    await expect(page.getByTestId('model-status')).toContainText(/Qwen3.* · wasm · ready/, { timeout: 120_000 });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
    expect(Math.max(...(await shownIds(page, 'aligned-embed')))).toBeLessThan(151_669);
  });

  test('a dtype chosen in the picker travels in the URL; one the repos lack fails naming those they have', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-catalog').selectOption('smollm2-135m-eol');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('dtype-select').selectOption('q8');
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('error')).toContainText(
      'HuggingFaceTB/SmolLM2-135M-Instruct: no q8 variant (onnx/model_quantized.onnx); available: fp32, fp16, q4, q4f16.',
      {
        timeout: 60_000,
      },
    );
    await expect(page.getByTestId('model-status')).toContainText('Demo');
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-catalog').selectOption('smollm2-135m-eol');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('dtype-select').selectOption('q4');
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText(/SmolLM2.*q4 · ready/, { timeout: 90_000 });
    await expect(page).toHaveURL(/dtype=q4/);
  });
});

test.describe('a link never downloads from the Hub without asking', () => {
  test('a link to another Hub asks first, naming the host and the repos; nothing is sent to it before the yes', async ({ page, backend }) => {
    const hubRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(HUB) || request.url().includes(':8765/')) hubRequests.push(request.url());
    });
    await page.goto(`/?${new URLSearchParams({ pair: DEMO_FROM_HUB, hub: HUB, text: TEXT, backend })}`);
    const question = page.getByTestId('link-question');
    await expect(question).toContainText('127.0.0.1');
    await expect(question).toContainText('hubtest/demo-embed');
    await expect(question).toContainText('hubtest/demo-base');
    await page.waitForTimeout(1000);
    expect(hubRequests).toEqual([]);
    // Cancel: the demo pair loads instead, from the app itself.
    await page.getByTestId('confirm-cancel').click();
    await expect(page.getByTestId('model-status')).toContainText('Demo', { timeout: 60_000 });
    expect(hubRequests).toEqual([]);
  });

  test('a Hub URL that is not http(s) is refused in one line, and nothing loads from it', async ({ page, backend }) => {
    for (const hub of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.org/models']) {
      await page.goto(`/?${new URLSearchParams({ pair: DEMO_FROM_HUB, hub, text: TEXT, backend })}`);
      await expect(page.getByTestId('error')).toContainText('The Hub URL must start with http:// or https://', { timeout: 30_000 });
      await expect(page.getByTestId('link-question')).toHaveCount(0);
    }
  });
});

test.describe('faults that heal in the browser: one clear message, nothing broken cached, loading again works', () => {
  const faults = (list: Fault[]) => setFaults(HUB, list);
  test.afterEach(() => faults([]));

  // Each with the fault kind the page is told (worker/errorTransfer.ts): Retry is offered where another try may work.
  const cases: [string, Fault, RegExp, FaultKind][] = [
    [
      'a download cut off mid-file at every try',
      // At every try: a load may ask for the file more than once (a retried resume, another path to the body), and
      // the message names no count, so every request of it is cut off until the test heals the server.
      { match: 'demo-base/onnx/model.onnx', kind: 'truncate', times: 100 },
      /hubtest\/demo-base\/onnx\/model\.onnx: the download was cut off after [\d,]+ of [\d,]+ bytes/,
      'cut-off',
    ],
    [
      'an HTML page for tokenizer.json at every try',
      { match: 'demo-embed/resolve/main/tokenizer.json', kind: 'html', times: 4 },
      /hubtest\/demo-embed\/tokenizer\.json is an HTML page, not JSON/,
      'bad-content',
    ],
    [
      'a corrupt ONNX file',
      { match: 'demo-embed/onnx/model.onnx', kind: 'corrupt', times: 1 },
      /hubtest\/demo-embed\/onnx\/model\.onnx could not be loaded: .*removed from the cache/,
      'bad-file',
    ],
    [
      '503 past the retries',
      { match: 'demo-embed/onnx/model.onnx', kind: 'status', status: 503, times: 4 },
      /hubtest\/demo-embed\/onnx\/model\.onnx: the server answered 503 .*4 times/,
      'server',
    ],
  ];
  for (const [name, fault, message, kind] of cases) {
    test(name, async ({ page, openLens }) => {
      await openLens({ text: TEXT });
      await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
      const before = await shownIds(page, 'aligned-embed');
      await faults([fault]);
      await loadCustomPair(page, { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING, hub: HUB });
      await expect(page.getByTestId('error')).toContainText(message, { timeout: 90_000 });
      const shown = page.getByTestId('error').locator('[data-source="load"]');
      await expect(shown).toHaveAttribute('data-fault-kind', kind);
      const retry = shown.getByTestId('message-retry');
      await expect(retry).toHaveCount(kind === 'bad-file' ? 0 : 1);
      await expect(page.getByTestId('model-status')).toContainText('Demo');
      expect(await shownIds(page, 'aligned-embed')).toEqual(before);
      // The server is healthy again: the same pair loads in the same tab (from what the cache kept, plus a fresh download),
      // by Retry where the page offers it.
      await faults([]);
      if (kind === 'bad-file') await loadCustomPair(page, { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING, hub: HUB });
      else await retry.click();
      await expect(page.getByTestId('model-status')).toContainText('hubtest/demo-embed', { timeout: 90_000 });
      await expect(page.getByTestId('model-status')).toContainText('ready');
      const reference = await (await referenceSession()).align(1, TEXT, 10, 0);
      await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    });
  }

  test('429 and 503 now and then are retried: the pair loads at once', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await faults([
      { match: 'demo-base/resolve/main/config.json', kind: 'status', status: 429, times: 1 },
      { match: 'demo-embed/onnx/model.onnx', kind: 'status', status: 503, times: 2 },
    ]);
    await loadCustomPair(page, { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING, hub: HUB });
    await expect(page.getByTestId('model-status')).toContainText('hubtest/demo-embed', { timeout: 90_000 });
    await expect(page.getByTestId('error')).toHaveCount(0);
  });
});
