import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import { PAIR, referenceSession, shownIds, test } from './fixtures';

const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const SENTENCE = 'A man is playing the guitar on a stage.';

const rowIds = (page: Page, layer: number, model: 'layer-embed' | 'layer-base') =>
  page
    .getByTestId('layer-row')
    .nth(layer)
    .getByTestId(model)
    .locator('td')
    .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));

async function openLayers(page: Page) {
  await page.getByTestId('layer-details').locator('summary').click();
}

test.describe(`token diff and layer view on the ${PAIR} pair`, () => {
  test('token diff: risers then fallers, ordered, equal to the core in Node at the slider’s λ (byte and special tokens hidden, as by default)', async ({
    page,
    openLens,
  }) => {
    const lambda = -4;
    await openLens({ text: SENTENCE, lambda: String(lambda) });
    const session = await referenceSession();
    const reference = await session.align(1, SENTENCE, 10, lambda);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    await expect(page.getByTestId('token-diff')).toHaveAttribute('data-lambda', String(lambda));
    const rows = page.getByTestId('token-diff').getByTestId('diff-token');
    await expect(rows).toHaveCount(20);
    const shown = await rows.evaluateAll((els) =>
      els.map((el) => ({ id: Number(el.getAttribute('data-token-id')), delta: Number(el.getAttribute('data-delta')) })),
    );
    const diff = session.diff(1, lambda, 10, true)!;
    expect(shown.map((r) => r.id)).toEqual([...diff.risers, ...diff.fallers].map((r) => r.id));
    const risers = shown.slice(0, 10).map((r) => r.delta);
    const fallers = shown.slice(10).map((r) => r.delta);
    expect(risers).toEqual([...risers].sort((a, b) => b - a));
    expect(fallers).toEqual([...fallers].sort((a, b) => a - b));
    expect(risers[0]).toBeGreaterThan(0);
    expect(fallers[0]).toBeLessThan(0);
    await expect(page.getByTestId('token-diff')).toContainText('standard deviation');
  });

  test('layer view: one row per layer, the deepest equal to the columns, every layer equal to Node; Hit@k chart', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE, lambda: '0' });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
    await openLayers(page);
    await expect(page.getByTestId('layer-view')).toBeVisible({ timeout: 60_000 });
    const reference = await (await referenceSession()).layers(1, SENTENCE, 10, 0);
    await expect(page.getByTestId('layer-row')).toHaveCount(reference.rows.length);
    expect(reference.rows.length).toBeGreaterThan(1);
    for (const [l, row] of reference.rows.entries()) {
      expect(await rowIds(page, l, 'layer-embed')).toEqual(row.embed.filtered.ids);
      expect(await rowIds(page, l, 'layer-base')).toEqual(row.base.filtered.ids);
    }
    const deepest = reference.rows.length - 1;
    expect(await rowIds(page, deepest, 'layer-embed')).toEqual(await shownIds(page, 'aligned-embed'));
    expect(await rowIds(page, deepest, 'layer-base')).toEqual(await shownIds(page, 'aligned-base'));
    await expect(page.getByTestId('layer-hit-chart')).toHaveAttribute('role', 'img');
    await expect(page.getByTestId('layer-hit-chart')).toHaveAttribute('aria-label', /Hit@10 per layer/);
    // The chart downloads as a figure, with the pair and text in its metadata.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-layer-hits-svg').click();
    const svg = readFileSync((await (await download).path())!, 'utf8');
    expect(svg).toContain('<title id="title">Hit@10 per layer</title>');
    expect(svg).toMatch(/<metadata id="embedding-lens">.*Demo pair/);
    expect(svg).toContain('data-series="embed-hit"');

    // The slider moves the base rows too (each layer along its own PC1); the deepest still equals the column.
    const slider = page.getByTestId('lambda-slider');
    await slider.fill(String(Number(await slider.getAttribute('min')) / 2));
    const lambda = Number(await slider.inputValue());
    expect(lambda).toBeLessThan(0);
    await expect(page.getByTestId('layer-view')).toHaveAttribute('data-lambda', String(lambda), { timeout: 60_000 });
    await expect.poll(async () => rowIds(page, deepest, 'layer-base')).toEqual(await shownIds(page, 'aligned-base'));
    const shifted = await (await referenceSession()).layers(2, SENTENCE, 10, lambda);
    for (const [l, row] of shifted.rows.entries()) expect(await rowIds(page, l, 'layer-base')).toEqual(row.base.filtered.ids);
  });
});

test.describe('layer view on Hub bodies (stand-in Hub, Qwen3-shaped)', () => {
  test('2-block Qwen3-shaped pair: layers found in both graphs, final RMSNorm applied in the app', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE, lambda: '0' });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-mode-custom').check();
    await page.getByTestId('pair-embed').fill('hubtest/qwen3-embed');
    await page.getByTestId('pair-base').fill('hubtest/sharded-base');
    await page.getByTestId('pair-pooling').selectOption('last');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText('hubtest/qwen3-embed', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 90_000 });
    await expect.poll(() => shownIds(page, 'aligned-embed')).toHaveLength(10);
    await openLayers(page);
    await expect(page.getByTestId('layer-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('layer-row')).toHaveCount(2);
    expect(await rowIds(page, 1, 'layer-embed')).toEqual(await shownIds(page, 'aligned-embed'));
    expect(await rowIds(page, 1, 'layer-base')).toEqual(await shownIds(page, 'aligned-base'));
    // Layer 1 reads another state than layer 2 (a real intermediate layer, not a copy of the output).
    expect(await rowIds(page, 0, 'layer-embed')).not.toEqual(await rowIds(page, 1, 'layer-embed'));
    await expect(page.getByTestId('token-diff').getByTestId('diff-token')).toHaveCount(20);
  });

  test('qwen3-0.6b as the Hub builds it (GQA + MHA, fused skip-norms, q8 on WASM): every layer, the deepest equal to the columns', async ({
    page,
    openLens,
  }) => {
    await openLens({ text: SENTENCE, lambda: '0' });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-catalog').selectOption('qwen3-0.6b');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText(/Qwen3.*ready/, { timeout: 120_000 });
    await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
    await openLayers(page);
    await expect(page.getByTestId('layer-view')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('layer-row')).toHaveCount(4); // the fused stand-ins' 4 layers (tools/fused)
    expect((await rowIds(page, 3, 'layer-embed')).slice(0, 3)).toEqual((await shownIds(page, 'aligned-embed')).slice(0, 3));
    expect((await rowIds(page, 3, 'layer-base')).slice(0, 3)).toEqual((await shownIds(page, 'aligned-base')).slice(0, 3));
  });

  test('a graph whose shape defeats it says so in one line (one-step stand-ins on the Qwen3 vocabulary)', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    await page.getByTestId('pair-picker').locator('summary').click();
    await page.getByTestId('pair-mode-custom').check();
    await page.getByTestId('pair-embed').fill('hubtest/onestep-embed');
    await page.getByTestId('pair-base').fill('hubtest/onestep-base');
    await page.getByTestId('pair-pooling').selectOption('last');
    await page.getByTestId('pair-hub-url').fill(HUB);
    await page.getByTestId('pair-load').click();
    await expect(page.getByTestId('model-status')).toContainText('hubtest/onestep-embed', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 90_000 });
    await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
    await openLayers(page);
    await expect(page.getByTestId('layer-unavailable')).toContainText(/shape defeats the layer view: .+/, { timeout: 60_000 });
    await expect(page.getByTestId('layer-view')).toHaveCount(0);
  });
});
