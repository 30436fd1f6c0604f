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

test.describe('accessibility', () => {
  test('axe-core: no serious or critical violation on every view: Explorer (contribution open), Analysis after a run, Instructions, Similarity, Retrieval, pair picker open', async ({
    page,
    openLens,
  }) => {
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
    // With an index, a query's three result columns and the evaluation table.
    await page.getByTestId('retrieval-first-n').selectOption('50');
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-summary')).toContainText('50 documents indexed', { timeout: 80_000 });
    await page.getByTestId('retrieval-query').fill('what is the capital of france');
    await expect(page.getByTestId('retrieval-results-sparse').getByTestId('retrieval-hit').first()).toBeVisible();
    await expect(page.getByTestId('retrieval-eval-table')).toBeVisible({ timeout: 80_000 });
    expect(await seriousViolations(page), 'Retrieval with results').toEqual([]);
  });

  test('keyboard: Tab reaches every control with a visible focus ring; views, details, slider and downloads work from the keyboard', async ({
    page,
    openLens,
  }) => {
    await openLens({ text: SENTENCE });
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token')).toHaveCount(10);

    /** Tabs through the page once; returns the controls never reached and those reached without a visible outline. */
    const tabThrough = async () => {
      await page.evaluate(() => {
        const selector = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, a[href]';
        const all = [...document.querySelectorAll<HTMLElement>(`#root :is(${selector})`)].filter((el) => {
          if (el instanceof HTMLInputElement && el.type === 'radio' && !el.checked) return false; // a radio group is one Tab stop; arrows move inside
          return el.getClientRects().length > 0 && !el.closest('details:not([open]) > :not(summary)');
        });
        for (const [i, el] of all.entries()) el.setAttribute('data-a11y-id', String(i));
        (window as unknown as { a11yTotal: number }).a11yTotal = all.length;
        (document.activeElement as HTMLElement | null)?.blur();
      });
      const total = await page.evaluate(() => (window as unknown as { a11yTotal: number }).a11yTotal);
      const reached = new Set<string>();
      const unringed: string[] = [];
      for (let i = 0; i < total + 10; i++) {
        await page.keyboard.press('Tab');
        const info = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el?.dataset.a11yId) return null;
          const style = getComputedStyle(el);
          const ringed = (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
          return {
            id: el.dataset.a11yId,
            ringed,
            name: `${el.tagName.toLowerCase()} ${el.getAttribute('data-testid') ?? el.textContent?.trim().slice(0, 30) ?? ''}`,
          };
        });
        if (!info) continue;
        reached.add(info.id);
        if (!info.ringed) unringed.push(info.name);
      }
      const missed = await page.evaluate(
        (ids) =>
          [...document.querySelectorAll<HTMLElement>('[data-a11y-id]')]
            .filter((el) => !ids.includes(el.dataset.a11yId!))
            .map((el) => `${el.tagName.toLowerCase()} ${el.getAttribute('data-testid') ?? el.textContent?.trim().slice(0, 30)}`),
        [...reached],
      );
      return { total, missed, unringed: [...new Set(unringed)] };
    };

    await page.getByTestId('contribution-details').locator('summary').click();
    await page.getByTestId('pair-picker').locator('summary').click();
    await expect(page.getByTestId('export-contribution-embed-svg')).toBeVisible();
    const explorer = await tabThrough();
    expect(explorer.total).toBeGreaterThan(15);
    expect(explorer.missed, 'controls Tab never reached').toEqual([]);
    expect(explorer.unringed, 'controls focused without a visible focus ring').toEqual([]);

    // Used from the keyboard: a figure download, the slider, a details panel, the view tabs.
    const download = page.waitForEvent('download');
    await page.getByTestId('aligned-embed').getByTestId('export-token-bars-svg').focus();
    await page.keyboard.press('Enter');
    expect((await download).suggestedFilename()).toMatch(/\.svg$/);
    await page.getByTestId('lambda-slider').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('lambda-slider')).not.toHaveValue('0');
    await page.getByTestId('contribution-details').locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('contribution-details')).not.toHaveAttribute('open');
    await page.getByTestId('view-analysis').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('analysis-run')).toBeVisible();
    await page.getByTestId('analysis-limit').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('12');
    await page.getByTestId('analysis-run').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    const analysis = await tabThrough();
    expect(analysis.missed, 'Analysis: controls Tab never reached').toEqual([]);
    expect(analysis.unringed, 'Analysis: controls focused without a visible focus ring').toEqual([]);
  });

  test('prefers-reduced-motion: nothing animates or transitions', async ({ page, openLens }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await openLens({ text: SENTENCE });
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token')).toHaveCount(10);
    const moving = await page.evaluate(
      () =>
        [...document.querySelectorAll('#root *')].filter((el) => {
          const s = getComputedStyle(el);
          return s.animationName !== 'none' || s.transitionDuration.split(',').some((d) => Number.parseFloat(d) > 0);
        }).length,
    );
    expect(moving).toBe(0);
  });
});
