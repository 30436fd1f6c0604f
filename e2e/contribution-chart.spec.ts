import type { Locator, Page } from '@playwright/test';
import { contributions } from '../src/runtime/analyses';
import { expect, referenceSession, test } from './fixtures';

// The PC1 contribution chart against the numbers the core computes in Node (onnxruntime-node, the same pair):
// each part a bar from zero on its own side, at one scale, the logit marked, the base side at the slider's λ.

const SENTENCE = 'A man is playing the guitar on a stage.';
const K = 10;

interface Expected {
  id: number;
  principal: number;
  rest: number;
  total: number;
}

/** The reference split of SENTENCE's top tokens, the base side at λ. */
async function reference(lambda: number) {
  const session = await referenceSession();
  await session.align(1, SENTENCE, K, lambda);
  const states = session.currentStates;
  if (!states) throw new Error('the Node session has no u₁');
  return contributions(session.loaded, states, K, lambda);
}

const box = async (locator: Locator) => {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not rendered');
  return b;
};

/** Checks one chart's bars against `expected`; returns how many rows had parts of opposite signs. */
async function checkChart(chart: Locator, expected: Expected[]): Promise<number> {
  const rows = chart.getByTestId('contribution-row');
  await expect(rows).toHaveCount(expected.length);
  const ids = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
  expect(ids).toEqual(expected.map((r) => r.id));
  const zeroBox = await box(chart.getByTestId('contribution-zero'));
  const zero = zeroBox.x + zeroBox.width / 2;
  // Pixels per unit, from the longest bar; every other bar must be drawn at the same scale.
  const longest = expected.flatMap((r, i) => [
    { i, part: 'pc1', value: r.principal },
    { i, part: 'rest', value: r.rest },
  ]);
  longest.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const scale = (await box(rows.nth(longest[0].i).locator(`[data-part="${longest[0].part}"]`))).width / Math.abs(longest[0].value);
  expect(scale).toBeGreaterThan(1);
  let mixed = 0;
  for (const [i, r] of expected.entries()) {
    const row = rows.nth(i);
    for (const [part, value] of [
      ['pc1', r.principal],
      ['rest', r.rest],
    ] as const) {
      const bar = await box(row.locator(`[data-part="${part}"]`));
      expect(bar.width, `${part} width of token ${r.id}`).toBeCloseTo(Math.abs(value) * scale, 0);
      // From zero on its own side: a negative part ends at zero, a positive one starts there.
      if (value < 0) expect(bar.x + bar.width, `${part} of token ${r.id} ends at zero`).toBeCloseTo(zero, 0);
      else expect(bar.x, `${part} of token ${r.id} starts at zero`).toBeCloseTo(zero, 0);
    }
    const mark = await box(row.locator('[data-part="total"]'));
    expect(mark.x + mark.width / 2, `logit mark of token ${r.id}`).toBeCloseTo(zero + r.total * scale, 0);
    if (Math.sign(r.principal) !== Math.sign(r.rest)) mixed++;
  }
  return mixed;
}

async function openChart(page: Page) {
  await page.getByTestId('contribution-details').locator('summary').click();
  await expect(page.getByTestId('contribution-base')).toBeVisible();
}

test.describe('the PC1 contribution chart', () => {
  test('draws each part from zero on its own side and marks the logit, at λ = 0 and after the slider moves', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE, k: String(K) });
    await openChart(page);
    const atZero = await reference(0);
    await expect(page.getByTestId('contribution-base')).toHaveAttribute('data-lambda', '0');
    const mixedEmbed = await checkChart(page.getByTestId('contribution-embed'), atZero.embed);
    const mixedBase = await checkChart(page.getByTestId('contribution-base'), atZero.base);
    // The case the issue names: parts of opposite signs (a stacked chart drew these wrongly).
    expect(mixedEmbed + mixedBase).toBeGreaterThan(0);
    await expect(page.getByTestId('contribution-base').locator('h4')).toHaveText('Base model (λ = 0)');

    // The slider's far end: the base side follows it.
    const slider = page.getByTestId('lambda-slider');
    await slider.focus();
    await page.keyboard.press('End');
    const max = Number(await slider.getAttribute('max'));
    await expect(page.getByTestId('contribution-base')).toHaveAttribute('data-lambda', String(max));
    await expect(page.getByTestId('contribution-base').locator('h4')).toHaveText(`Base model (λ = ${max.toFixed(2)})`);
    const atMax = await reference(max);
    expect(atMax.base.map((r) => r.id)).not.toEqual(atZero.base.map((r) => r.id));
    await checkChart(page.getByTestId('contribution-base'), atMax.base);
    // The embedding model's side does not move with λ.
    await checkChart(page.getByTestId('contribution-embed'), atZero.embed);
  });

  test('each colour has one meaning, and a legend says which', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    await openChart(page);
    const swatchColour = (name: string) =>
      page
        .locator(`.legend [data-swatch="${name}"] .swatch`)
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    const colours = {
      inText: await swatchColour('in-text'),
      notInText: await swatchColour('not-in-text'),
      pc1: await swatchColour('pc1-part'),
      rest: await swatchColour('rest-part'),
      total: await swatchColour('total'),
      v1: await swatchColour('v1'),
    };
    expect(new Set(Object.values(colours)).size).toBe(Object.keys(colours).length);
    // Each mark on the page has its legend's colour.
    const style = (locator: Locator, property: 'backgroundColor' | 'fill' | 'stroke') => locator.first().evaluate((el, p) => getComputedStyle(el)[p], property);
    await expect(page.getByTestId('aligned-embed').locator('.chip.key').first()).toBeVisible();
    expect(await style(page.getByTestId('aligned-embed').locator('.chip.key'), 'backgroundColor')).toBe(colours.inText);
    expect(await style(page.locator('.v1-marker'), 'backgroundColor')).toBe(colours.v1);
    expect(await style(page.locator('[data-part="pc1"]'), 'fill')).toBe(colours.pc1);
    expect(await style(page.locator('[data-part="rest"]'), 'fill')).toBe(colours.rest);
    expect(await style(page.locator('[data-part="total"]'), 'stroke')).toBe(colours.total);
    await expect(page.getByTestId('columns-legend')).toContainText('in the text');
    await expect(page.getByTestId('contribution-legend')).toContainText('PC1 part');
    await expect(page.getByTestId('slider-legend')).toContainText('v₁');
  });
});
