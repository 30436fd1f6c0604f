import { readFileSync } from 'node:fs';
import { expect, PAIR, referenceSession, shownIds, test } from './fixtures';

// A link keeps the view and never breaks: the text cut to what the model reads, nothing longer than a
// server accepts, WASM where WebGPU is asked for and missing, a history entry per tab, values put right.

const SENTENCE = 'A man is playing the guitar on a stage.';
/** A long text of varied words, so that where it is cut matters. */
const LONG = Array.from({ length: 4000 }, (_, i) => `word${i} runs,`)
  .join(' ')
  .slice(0, 20_000);

const textParam = (url: string) => new URL(url).searchParams.get('text');

test.describe('links that keep the view and never break', () => {
  test("a long text's link carries only what the model reads, says so, and reopens the same tokens", async ({ page, openLens, browser }) => {
    await openLens();
    await page.getByTestId('text-input').fill(LONG);
    await expect(page.getByTestId('notice')).toContainText('only the first');
    // The address bar follows the long text (debounced)...
    await expect.poll(() => LONG.startsWith(textParam(page.url()) ?? 'x') && (textParam(page.url())?.length ?? 0) > 100).toBe(true);
    // ...and carries only its beginning.
    await expect.poll(() => textParam(page.url())?.length).toBeLessThan(LONG.length);
    const carried = textParam(page.url()) ?? '';
    expect(LONG.startsWith(carried)).toBe(true);
    expect(page.url().length).toBeLessThan(2_000);
    await expect(page.getByTestId('link-cut')).toHaveAttribute('data-chars', String(carried.length));
    await expect(page.getByTestId('link-cut')).toContainText(`first ${carried.length.toLocaleString('en')} of the text's 20,000 characters`);

    // The cut is tight, by the pair's own tokenizer in Node: the carried text gives the tokens the model read of
    // the whole text, one character less does not.
    const pair = (await referenceSession()).loaded;
    const read = pair.tokenize(LONG);
    expect(read.truncated).toBe(true);
    expect(pair.tokenize(carried).ids).toEqual(read.ids);
    expect(pair.tokenize(carried.slice(0, -1)).ids).not.toEqual(read.ids);

    // Reopened, the link shows what the whole text showed.
    const chips = await page.getByTestId('aligned-embed').getByTestId('input-token').count();
    const other = await browser.newPage();
    await other.goto(page.url());
    await expect(other.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(other.getByTestId('text-input')).toHaveValue(carried);
    await expect(other.getByTestId('aligned-embed').getByTestId('input-token')).toHaveCount(chips);
    await expect.poll(() => shownIds(other, 'aligned-embed')).toEqual(await shownIds(page, 'aligned-embed'));
    await expect.poll(() => shownIds(other, 'aligned-base')).toEqual(await shownIds(page, 'aligned-base'));
    await other.close();

    // A short text again: no notice.
    await page.getByTestId('text-input').fill(SENTENCE);
    await expect(page.getByTestId('link-cut')).toHaveCount(0);
    await expect.poll(() => textParam(page.url())).toBe(SENTENCE);
  });

  test('a link that would be too long says so and offers the state file instead', async ({ page }) => {
    // A pair that cannot load: nothing can say how much of the text a model reads, so the whole text would go in.
    await page.goto(`/?pair=no-such-pair&text=${encodeURIComponent(SENTENCE)}`);
    await expect(page.getByTestId('error')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('text-input').fill(LONG);
    await expect(page.getByTestId('link-too-long')).toBeVisible();
    expect(Number(await page.getByTestId('link-too-long').getAttribute('data-length'))).toBeGreaterThan(8_000);
    // The address bar keeps the last text that fit.
    await page.waitForTimeout(500);
    expect(page.url().length).toBeLessThanOrEqual(8_000);
    expect(textParam(page.url())).toBe(SENTENCE);
    const download = page.waitForEvent('download');
    await page.getByTestId('link-save-file').click();
    const file = JSON.parse(readFileSync((await (await download).path())!, 'utf8'));
    expect(file.state.text).toBe(LONG);
  });

  test('backend=webgpu where the browser has no WebGPU adapter: the pair runs on WASM and the page says so', async ({ page, backend }) => {
    test.skip(backend === 'webgpu', 'this project has a WebGPU adapter');
    await page.goto(`/?pair=${PAIR}&backend=webgpu&text=${encodeURIComponent(SENTENCE)}`);
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('model-status')).toContainText('wasm');
    await expect(page.getByTestId('backend-notice')).toContainText('no WebGPU adapter');
    const reference = await (await referenceSession()).align(3, SENTENCE, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
  });

  test('each view tab is a history entry: Back returns to the previous tab', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const current = () => page.locator('nav.views [aria-current="page"]');
    await page.getByTestId('view-analysis').click();
    await expect(current()).toHaveAttribute('data-testid', 'view-analysis');
    await expect(page).toHaveURL(/[?&]view=analysis/);
    await page.getByTestId('view-similarity').click();
    await expect(page).toHaveURL(/[?&]view=similarity/);
    await page.goBack();
    await expect(current()).toHaveAttribute('data-testid', 'view-analysis');
    await expect(page).toHaveURL(/[?&]view=analysis/);
    await page.goBack();
    await expect(current()).toHaveAttribute('data-testid', 'view-explorer');
    await expect(page.getByTestId('text-input')).toHaveValue(SENTENCE);
    await page.goForward();
    await expect(current()).toHaveAttribute('data-testid', 'view-analysis');
  });

  test('out-of-range values in a link are put right, with a notice', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE, lambda: '1000', k: '7', view: 'nope' });
    const notice = page.getByTestId('link-corrections');
    await expect(notice).toContainText('view=nope');
    await expect(notice).toContainText('k=7');
    await expect(notice).toContainText('λ = 1000');
    await expect(page.locator('nav.views [aria-current="page"]')).toHaveAttribute('data-testid', 'view-explorer');
    const slider = page.getByTestId('lambda-slider');
    const max = await slider.getAttribute('max');
    await expect(slider).toHaveValue(max!);
    await expect(page.locator('.lambda output')).toHaveText(Number(max).toFixed(2));
    await expect.poll(() => new URL(page.url()).searchParams.get('lambda')).toBe(max);
    // The base column is the core's at the slider's end, not at λ = 1000.
    const reference = await (await referenceSession()).align(4, SENTENCE, 10, Number(max));
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    await expect(page.getByTestId('aligned-base').getByTestId('aligned-token')).toHaveCount(10);
  });

  test("open panels and each view's inputs survive a reload", async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    await page.getByTestId('contribution-details').locator('summary').click();
    await page.getByTestId('layer-details').locator('summary').click();
    await expect(page).toHaveURL(/[?&]panels=layers%2Ccontribution/);
    await page.getByTestId('view-similarity').click();
    await page.getByTestId('similarity-text-1').fill('Two cats sleep on a warm sofa.');
    await page.getByTestId('view-instructions').click();
    await page.getByTestId('instruction-2').fill('Represent the topic of: {text}');
    await expect(page).toHaveURL(/[?&]tpl=/);
    await page.reload();
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('instruction-2')).toHaveValue('Represent the topic of: {text}');
    await expect(page.getByTestId('instruction-1')).toHaveValue('Summarize: {text}');
    await page.getByTestId('view-similarity').click();
    await expect(page.getByTestId('similarity-text-1')).toHaveValue('Two cats sleep on a warm sofa.');
    await page.getByTestId('view-explorer').click();
    await expect(page.getByTestId('contribution-details')).toHaveAttribute('open', '');
    await expect(page.getByTestId('layer-details')).toHaveAttribute('open', '');
    await expect(page.getByTestId('contribution-embed')).toBeVisible();
    await expect(page.getByTestId('layer-row').first()).toBeVisible();
  });
});
