import { expect, PAIR, referenceSession, shownIds, test } from './fixtures';

const SENTENCE = 'A man is playing the guitar on a stage.';

test.describe(`explorer on the ${PAIR} pair`, () => {
  test('typing a text shows aligned tokens in both columns, equal to the core in Node', async ({ page, openLens }) => {
    await openLens();
    const input = page.getByTestId('text-input');
    await input.fill(SENTENCE);
    const reference = await (await referenceSession()).align(1, SENTENCE, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);

    const ranks = await page
      .getByTestId('aligned-embed')
      .getByTestId('aligned-token')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-rank')));
    expect(ranks).toEqual(reference.embed.filtered.ids.map((_, i) => String(i + 1)));

    // The input row: one chip per token, key tokens flagged as the core says.
    const chips = page.getByTestId('aligned-embed').getByTestId('input-token');
    await expect(chips).toHaveCount(reference.tokens.length);
    const flagged = await chips.evaluateAll((els) =>
      els.filter((el) => el.getAttribute('data-key') === 'true').map((el) => Number(el.getAttribute('data-token-id'))),
    );
    expect(new Set(flagged)).toEqual(new Set(reference.embed.keyIds));
  });

  test('the λ slider re-ranks the base column, and λ = 0 restores it', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const reference = await (await referenceSession()).align(2, SENTENCE, 10, 0);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);

    const slider = page.getByTestId('lambda-slider');
    const max = Number(await slider.getAttribute('max'));
    const min = Number(await slider.getAttribute('min'));
    expect(min).toBeLessThan(0);
    expect(max).toBeGreaterThan(0);
    // Drag with the keyboard, as a user can: End jumps to the far end of the range.
    await slider.focus();
    await page.keyboard.press('End');
    await expect(slider).toHaveValue(String(max));
    const moved = await referenceSession().then((s) => s.shift(2, max, 10)!.filtered.ids);
    expect(moved).not.toEqual(reference.base.filtered.ids);
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(moved);
    // The embedding column does not move with λ.
    expect(await shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);

    await page.getByRole('button', { name: 'λ = 0' }).click();
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    await expect(page).toHaveURL(/[?&]text=/);
  });

  test('HTML in the text is shown as text and runs nothing', async ({ page, openLens }) => {
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await openLens();
    const html = '<img src=x onerror=alert(1)> and <script>alert(2)</script>';
    await page.getByTestId('text-input').fill(html);
    await expect(page.getByTestId('aligned-embed').getByTestId('input-token').first()).toBeVisible();
    await expect
      .poll(
        () =>
          page
            .getByTestId('aligned-embed')
            .getByTestId('input-token')
            .allTextContents()
            .then((t) => t.join('')),
        { timeout: 10_000 },
      )
      .toContain('img');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#root script').count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  test('an empty text gives a clear message; a 20,000-character text a truncation notice; the page stays responsive', async ({ page, openLens }) => {
    await openLens();
    const input = page.getByTestId('text-input');
    await input.fill('');
    await expect(page.getByTestId('notice')).toContainText('empty');
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token')).toHaveCount(0);
    await expect(page.getByTestId('error')).toHaveCount(0);

    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(445).slice(0, 20_000);
    expect(long.length).toBe(20_000);
    await input.fill(long);
    await expect(page.getByTestId('notice')).toContainText('only the first');
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token')).toHaveCount(10);
    // Responsive: the main thread answers at once while the worker has just been busy.
    const started = Date.now();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(Date.now() - started).toBeLessThan(1000);
    await input.fill('Back to a short sentence.');
    await expect(page.getByTestId('notice')).not.toContainText('only the first');
  });

  test('a copied link reopens the same view', async ({ page, openLens, browser }) => {
    await openLens({ text: 'Two dogs run through the snow.', lambda: '0.5', k: '5' });
    await expect(page.getByTestId('aligned-base').getByTestId('aligned-token')).toHaveCount(5);
    const url = page.url();
    const other = await browser.newPage();
    await other.goto(url);
    await expect(other.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    await expect(other.getByTestId('text-input')).toHaveValue('Two dogs run through the snow.');
    await expect(other.getByTestId('lambda-slider')).toHaveValue('0.5');
    await expect.poll(() => shownIds(other, 'aligned-base')).toEqual(await shownIds(page, 'aligned-base'));
    await other.close();
  });
});
