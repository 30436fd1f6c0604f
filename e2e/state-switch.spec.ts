import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// Results follow the pair that computed them: an analysis, a retrieval index with its evaluation and a
// similarity computed on the demo pair, then the pair switched to test-tiny. Nothing of the demo pair is
// applied to test-tiny: each result is labelled "computed on …" and every action that would apply it is off.
// WASM only (the webgpu project does not run this file): the switch logic does not depend on the backend.

const DEMO = 'Demo pair';
const TINY = 'Random tiny pair';

/** Picks a shipped pair in the pair picker and loads it, as a user does. */
async function switchToCatalogPair(page: Page, id: string) {
  const picker = page.getByTestId('pair-picker');
  if ((await picker.getAttribute('open')) === null) await picker.locator('summary').click();
  await picker.getByRole('radio').first().check();
  await page.getByTestId('pair-catalog').selectOption(id);
  await page.getByTestId('pair-load').click();
}

/**
 * Calls the model worker's setDirection directly, as a page that skipped the UI's checks would, with
 * Comlink's own message format (the worker is captured when the page creates it; see addInitScript below).
 * Resolves with the worker's error message, or 'applied'.
 */
function callSetDirection(page: Page, u1: number[], computedOn: { pairId: string; loadId: string }): Promise<string> {
  return page.evaluate(
    ([u1, computedOn]) =>
      new Promise<string>((resolve) => {
        const worker = (window as unknown as { __lensWorker: Worker }).__lensWorker;
        const id = `e2e-${Math.random()}`;
        const listener = (event: MessageEvent) => {
          if (event.data?.id !== id) return;
          worker.removeEventListener('message', listener);
          const reply = event.data.value;
          resolve(event.data.name === 'throw' ? String(reply.value?.message ?? reply.value) : 'applied');
        };
        worker.addEventListener('message', listener);
        worker.postMessage({
          id,
          type: 'APPLY',
          path: ['setDirection'],
          argumentList: [
            { type: 'RAW', value: { u1, variation: [1], shares: [1], sampleSize: 1, origin: 'a page that skipped the checks' } },
            { type: 'RAW', value: computedOn },
          ],
        });
      }),
    [u1, computedOn] as const,
  );
}

test('switching pairs: results of the old pair are labelled and never applied to the new one', async ({ page, openLens }) => {
  test.setTimeout(300_000);
  // Keep a handle on the model worker the page starts (test-only; the app exposes nothing).
  await page.addInitScript(() => {
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        (window as unknown as { __lensWorker: Worker }).__lensWorker = this;
      }
    };
  });
  await openLens({ pair: 'demo', view: 'analysis' });
  await expect(page.getByTestId('model-status')).toContainText(DEMO);

  // 1. An analysis on the demo pair: its u₁ / v₁ can drive the demo pair's slider.
  await page.getByTestId('analysis-limit').fill('20');
  await page.getByTestId('analysis-run').click();
  await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('use-direction')).toBeEnabled();
  await expect(page.getByTestId('stale-note')).toHaveCount(0);

  // 2. A retrieval index (with its evaluation) on the demo pair.
  await page.getByTestId('view-retrieval').click();
  await page.getByTestId('retrieval-first-n').selectOption('50');
  await page.getByTestId('retrieval-build').click();
  await expect(page.getByTestId('retrieval-summary')).toContainText('50 documents indexed', { timeout: 80_000 });
  await page.getByTestId('retrieval-query').fill('governor of plymouth colony');
  await expect(page.getByTestId('retrieval-results-bm25').getByTestId('retrieval-hit').first()).toBeVisible();
  await expect(page.getByTestId('retrieval-eval-table')).toBeVisible({ timeout: 60_000 });

  // 3. A similarity on the demo pair.
  await page.getByTestId('view-similarity').click();
  await page.getByTestId('similarity-run').click();
  await expect(page.getByTestId('cosine-embed')).toBeVisible();
  const demoCosine = await page.getByTestId('cosine-embed').textContent();

  // 4. Switch to the test-tiny pair (another vocabulary, d = 32 instead of 160).
  await switchToCatalogPair(page, 'test-tiny');
  await expect(page.getByTestId('model-status')).toContainText(TINY, { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toContainText('ready');

  // The similarity is kept for reference, labelled with the pair it was computed on.
  await expect(page.getByTestId('stale-note')).toContainText(`Computed on ${DEMO}`);
  await expect(page.getByTestId('cosine-embed')).toHaveText(demoCosine ?? '');

  // The analysis is labelled; its u₁ cannot be sent to the new pair.
  await page.getByTestId('view-analysis').click();
  await expect(page.getByTestId('analysis-table')).toBeVisible();
  await expect(page.getByTestId('stale-note')).toContainText(`Computed on ${DEMO}`);
  await expect(page.getByTestId('use-direction')).toBeDisabled();

  // The worker dropped the index with the demo pair: the view says so, search is off, no hits are shown;
  // the evaluation table stays, labelled.
  await page.getByTestId('view-retrieval').click();
  await expect(page.getByTestId('retrieval-stale')).toContainText(`built on ${DEMO}`);
  await expect(page.getByTestId('retrieval-query')).toBeDisabled();
  await expect(page.getByTestId('retrieval-hit')).toHaveCount(0);
  await expect(page.getByTestId('retrieval-summary')).toHaveCount(0);
  await expect(page.getByTestId('retrieval-eval-stale')).toContainText(`Computed on ${DEMO}`);

  // The explorer's slider moves along test-tiny's own u₁, from its own sample.
  await page.getByTestId('view-explorer').click();
  await expect(page.getByText(/u₁ and v₁ from \d+ sample sentences/)).toBeVisible();
  await expect(page.getByText('texts of STS-B test')).toHaveCount(0);

  // Even asked directly, the worker refuses a direction of another pair, or of the wrong width.
  const loadId = 'any';
  expect(await callSetDirection(page, new Array(160).fill(0.05), { pairId: 'demo', loadId })).toBe(
    'This u₁ was computed on the pair "demo", not on the loaded pair "test-tiny": it is not applied.',
  );

  // 5. Back on the demo pair (a new load): results stay labelled, now as an earlier load's.
  await switchToCatalogPair(page, 'demo');
  await expect(page.getByTestId('model-status')).toContainText(DEMO, { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toContainText('ready');
  await page.getByTestId('view-analysis').click();
  await expect(page.getByTestId('stale-note')).toContainText(`earlier load of ${DEMO}`);
  await expect(page.getByTestId('use-direction')).toBeDisabled();
  // A fresh analysis on this load can drive the slider again.
  await page.getByTestId('analysis-run').click();
  await expect(page.getByTestId('stale-note')).toHaveCount(0, { timeout: 60_000 });
  await page.getByTestId('use-direction').click();
  await page.getByTestId('view-explorer').click();
  await expect(page.getByText('u₁ and v₁ from the 20 texts of STS-B test')).toBeVisible();
});
