import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SENTENCE = 'A man is playing the guitar on a stage.';

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include('#root').analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ')}`));
}

test.describe('accessibility (axe-core: no serious or critical violation)', () => {
  test('every view: Explorer (contribution open), Analysis after a run, Instructions, Similarity, Retrieval, pair picker open', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token')).toHaveCount(10);
    await page.getByTestId('contribution-details').locator('summary').click();
    await expect(page.getByTestId('contribution-embed')).toBeVisible();
    expect(await seriousViolations(page), 'Explorer').toEqual([]);

    await page.getByTestId('pair-picker').locator('summary').click();
    await expect(page.getByTestId('pair-catalog')).toBeVisible();
    expect(await seriousViolations(page), 'pair picker').toEqual([]);
    await page.getByTestId('pair-picker').locator('summary').click();

    await page.getByTestId('view-analysis').click();
    await page.getByTestId('analysis-limit').fill('20');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    expect(await seriousViolations(page), 'Analysis').toEqual([]);

    await page.getByTestId('view-instructions').click();
    await page.getByTestId('instructions-run').click();
    await expect(page.getByTestId('instruction-results')).toBeVisible();
    expect(await seriousViolations(page), 'Instructions').toEqual([]);

    await page.getByTestId('view-similarity').click();
    await page.getByTestId('similarity-run').click();
    await expect(page.getByTestId('similarity-scores')).toBeVisible();
    expect(await seriousViolations(page), 'Similarity').toEqual([]);

    await page.getByTestId('view-retrieval').click();
    await expect(page.getByTestId('retrieval-build')).toBeVisible();
    expect(await seriousViolations(page), 'Retrieval').toEqual([]);
  });
});
