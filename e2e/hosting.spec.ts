import { expect, type Page, test } from '@playwright/test';
import { PAIR, referenceSession } from './fixtures';
import { nginxHost, plainHost, type StaticHost } from './staticHosts';

// The production build served as a user would host it: under a sub-path (a GitHub Pages project
// site), by a plain static server without COOP/COEP and by Debian's nginx with them.
const SUB_PATH = '/embedding-lens/';
const SENTENCE = 'A man is playing the guitar on a stage.';

const ids = (page: Page, column: string) =>
  page
    .getByTestId(column)
    .getByTestId('aligned-token')
    .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));

/** The explorer's core checks: load, aligned tokens equal to Node's, the slider, a bundled data file. */
async function coreChecks(page: Page, host: StaticHost, isolated: boolean) {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${host.url}?${new URLSearchParams({ pair: PAIR, backend: 'wasm' })}`);
  await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 90_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
  await expect(page.getByTestId('threads-note')).toContainText(isolated ? 'WASM threads on' : 'WASM threads off');
  if (!isolated) await expect(page.getByTestId('threads-note')).toContainText('COOP/COEP');

  await page.getByTestId('text-input').fill(SENTENCE);
  const reference = await (await referenceSession()).align(1, SENTENCE, 10, 0);
  await expect.poll(() => ids(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
  await expect.poll(() => ids(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
  await page.getByTestId('lambda-v1').click();
  // The view lives in the URL, which stays under the sub-path; λ = v₁ there is the value the app used.
  await expect.poll(() => new URL(page.url()).searchParams.get('lambda')).not.toBeNull();
  const url = new URL(page.url());
  expect(`${url.origin}${url.pathname}`).toBe(host.url);
  const shifted = (await referenceSession()).shift(1, Number(url.searchParams.get('lambda')), 10)!.ids;
  await expect.poll(() => ids(page, 'aligned-base')).toEqual(shifted);

  // A bundled data file (public/data) loads from under the sub-path too.
  await page.getByTestId('view-analysis').click();
  await page.getByTestId('analysis-limit').fill('4');
  await page.getByTestId('analysis-run').click();
  await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('analysis-table')).toContainText('Embedding model');

  expect(failed).toEqual([]);
  expect(host.strayRequests()).toEqual([]);
}

test.describe('the production build at a sub-path', () => {
  test('a plain static server without COOP/COEP: works, WASM threads off and the status says why', async ({ page }) => {
    const host = await plainHost(SUB_PATH);
    try {
      await coreChecks(page, host, false);
    } finally {
      await host.stop();
    }
  });

  test("Debian's nginx with COOP/COEP: works, cross-origin isolated, WASM threads on", async ({ page }) => {
    const host = await nginxHost(SUB_PATH);
    try {
      await coreChecks(page, host, true);
    } finally {
      await host.stop();
    }
  });
});
