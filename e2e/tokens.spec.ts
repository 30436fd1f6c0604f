import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Byte-level BPE splits an emoji over several tokens; none of them may show as U+FFFD.
const EMOJI_TEXT = 'I love my guitar 🎸 and a hot coffee ☕ — naïve café';
const REPLACEMENT = '\uFFFD';

const pageText = (page: Page) =>
  page
    .locator('#root')
    .textContent()
    .then((t) => t ?? '');

test.describe('readable tokens', () => {
  test('an emoji in the input: its pieces show their bytes, grouped under the emoji; no U+FFFD anywhere', async ({ page, openLens }) => {
    await openLens({ text: EMOJI_TEXT });
    const chips = page.getByTestId('aligned-embed').getByTestId('input-token');
    await expect(chips.first()).toBeVisible();
    const texts = await chips.allTextContents();
    expect(texts.join('')).not.toContain(REPLACEMENT);
    expect(texts.some((t) => /<0x[0-9A-F]{2}>/.test(t))).toBe(true);
    const runs = await page.getByTestId('aligned-embed').getByTestId('token-run-text').allTextContents();
    expect(runs.join('')).toContain('🎸');
    expect(runs.join('')).toContain('☕');
    expect(await pageText(page)).not.toContain(REPLACEMENT);

    // The Similarity view's token lists too.
    await page.getByTestId('view-similarity').click();
    await page.getByTestId('similarity-text-0').fill('🎸🎶🎹 music ❤️');
    await page.getByTestId('similarity-text-1').fill('☕🍵 tea and coffee');
    await page.getByTestId('similarity-run').click();
    await expect(page.getByTestId('similarity-scores')).toBeVisible();
    await expect(page.getByTestId('list-token').first()).toBeVisible();
    expect(await pageText(page)).not.toContain(REPLACEMENT);
  });

  test("W·u₁'s most negative tokens in the Analysis view read as bytes, not U+FFFD", async ({ page, openLens }) => {
    await openLens({ view: 'analysis' });
    await page.getByTestId('analysis-limit').fill('40');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    // Byte tokens are hidden by default (the token filter says how many); shown, they read as <0xNN>.
    await expect(page.getByTestId('pc1-hidden')).toBeVisible();
    expect((await page.getByTestId('pc1-negative').locator('li').allTextContents()).join(' ')).not.toMatch(/<0x[0-9A-F]{2}>/);
    await page.getByTestId('pc1-hide-noise').uncheck();
    for (const list of ['pc1-positive', 'pc1-negative']) {
      const items = await page.getByTestId(list).locator('li').allTextContents();
      expect(items.length).toBeGreaterThan(0);
      expect(items.join(' ')).not.toContain(REPLACEMENT);
    }
    // On the demo pair these are mostly lone bytes (the column of U+FFFD).
    expect((await page.getByTestId('pc1-negative').locator('li').allTextContents()).join(' ')).toMatch(/<0x[0-9A-F]{2}>/);
    expect(await pageText(page)).not.toContain(REPLACEMENT);
  });
});
