import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, referenceSession, shownIds, test } from './fixtures';

// Hub pairs against the local stand-in Hub (tools/hub/serveTestHub.ts, started by Playwright).
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const NO_RANGE_HUB = `http://127.0.0.1:${Number(process.env.TEST_HUB_PORT ?? 8765) + 1}`;
const SLOW_HUB = `http://127.0.0.1:${Number(process.env.TEST_HUB_PORT ?? 8765) + 2}`;
// The demo pair as two Hub repos, with the pooling its manifest says.
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO_FROM_HUB = `hub:hubtest/demo-embed;hubtest/demo-base;${DEMO_POOLING}`;
const TEXT = 'A man is playing the guitar on a stage.';

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
  test('a custom pair loads from the Hub (W by Range requests) and matches the same models from models/', async ({ page, openLens }) => {
    await openLens({ pair: DEMO_FROM_HUB, hub: HUB, text: TEXT });
    const reference = await (await referenceSession()).align(1, TEXT, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.ids);

    // The cache manager lists what was downloaded, and deletes it.
    await page.getByTestId('cache-manager').locator('summary').click();
    await expect(page.getByTestId('cache-row').filter({ hasText: 'hubtest/demo-base' }).filter({ hasText: 'LM head' })).toBeVisible();
    await expect(page.getByTestId('cache-row').filter({ hasText: 'hubtest/demo-embed' })).toBeVisible();
    await page.getByTestId('cache-clear').click();
    await expect(page.getByTestId('cache-row')).toHaveCount(0);
  });

  const failures: [string, string, string, RegExp][] = [
    ['unknown id', `hub:nobody/missing-model;hubtest/demo-base;mean`, HUB, /nobody\/missing-model/],
    ['gated model (401)', `hub:hubtest/gated;hubtest/demo-base;mean`, HUB, /gated or private \(401\)/],
    ['private model (403)', `hub:hubtest/demo-embed;hubtest/private;mean`, HUB, /gated or private \(403\)/],
    ['vocabularies differ', `hub:hubtest/tiny-embed;hubtest/demo-base;mean`, HUB, /vocabulary of 272 tokens.*8,192/],
    ['no Range support', DEMO_FROM_HUB, NO_RANGE_HUB, /ignored an HTTP Range request/],
    ['Hub unreachable', DEMO_FROM_HUB, 'http://127.0.0.1:9', /offline or unreachable/],
    ['not a model id', 'hub:not a model;hubtest/demo-base;mean', HUB, /not a Hub model id/],
  ];
  for (const [name, pair, hub, message] of failures) {
    test(`clear failure, view kept: ${name}`, async ({ page, backend }) => {
      // A link naming the failing pair opens straight onto it (as a shared URL would).
      const query = new URLSearchParams({ pair, hub, text: TEXT, backend });
      await page.goto(`/?${query}`);
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
    await expect(page.getByTestId('error')).toContainText('cancelled');
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

test.describe('catalog pairs from the Hub (stand-ins with the real repos\' shapes)', () => {
  test('qwen3-0.6b loads from the catalog picker: logits-only base, sharded bf16 W', async ({ page, openLens }) => {
    await openLens({ text: TEXT });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-catalog').selectOption('qwen3-0.6b');
    await expect(page.getByTestId('pair-note')).toContainText('logits-only');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toContainText('Qwen3');
    await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
    // The tokenizer has 272 tokens; W's 16 padding rows are never shown.
    expect(Math.max(...(await shownIds(page, 'aligned-base')), ...(await shownIds(page, 'aligned-embed')))).toBeLessThan(272);
    await expect(page).toHaveURL(/pair=qwen3-0\.6b/);
  });
});
