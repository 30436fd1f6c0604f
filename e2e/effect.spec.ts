import { readFileSync } from 'node:fs';
import type { Download } from '@playwright/test';
import { expect, PAIR, referenceSession, shownIds, test } from './fixtures';

// #25 part 2, "the effect made visible": content metrics by default, the base's tokens shared with the embedder
// marked, the λ curve, the byte / special token filter, and the paper's side-by-side figure. Every number the
// page shows is checked against the same pair run by the same core in Node (fixtures.ts referenceSession).

const SENTENCE = 'A man is playing the guitar on a stage.';
/** A text whose top tokens, on the demo pair, are mostly single bytes (<0xBF>, <0x83>, …). */
const EMOJI = '🎸🎸🎸 ✓ ★';

test.describe(`the effect made visible on the ${PAIR} pair`, () => {
  test('the columns measure content tokens by default, the paper’s metrics a click away, kept in the link', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const reference = await (await referenceSession()).align(11, SENTENCE, 10, 0);
    const embed = page.getByTestId('aligned-embed');
    await expect(embed.locator('dt').first()).toHaveText('content Hit@10');
    expect(reference.embed.content).not.toBeNull();
    await expect(embed.getByTestId('metric-hit')).toHaveText(String(reference.embed.content!.hit));
    await expect(embed.getByTestId('metric-lar')).toHaveText(reference.embed.content!.lar.toFixed(3));
    await expect(page.getByTestId('aligned-base').getByTestId('metric-lar')).toHaveText(reference.base.content!.lar.toFixed(3));

    await page.getByTestId('metrics-all').check();
    await expect(embed.locator('dt').first()).toHaveText('Hit@10');
    await expect(embed.getByTestId('metric-hit')).toHaveText(String(reference.embed.hit));
    await expect(embed.getByTestId('metric-lar')).toHaveText(reference.embed.lar.toFixed(3));
    await expect(page).toHaveURL(/[?&]metrics=all/);
    await page.reload();
    await expect(page.getByTestId('metrics-all')).toBeChecked();
    await expect(page.getByTestId('aligned-embed').getByTestId('metric-lar')).toHaveText(reference.embed.lar.toFixed(3));
  });

  test('the base column marks the tokens the embedder also lists, and counts them', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const reference = await (await referenceSession()).align(12, SENTENCE, 10, 0);
    const embedIds = new Set(reference.embed.filtered.ids);
    const shared = reference.base.filtered.ids.filter((id) => embedIds.has(id));
    await expect.poll(() => shownIds(page, 'aligned-base')).toEqual(reference.base.filtered.ids);
    const marked = await page
      .getByTestId('aligned-base')
      .locator('[data-testid="aligned-token"][data-shared]')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
    expect(marked).toEqual(shared);
    await expect(page.getByTestId('aligned-base').getByTestId('metric-shared')).toHaveText(`${shared.length} of 10`);
    // The embedder's own column marks nothing (it is what is shared with).
    await expect(page.getByTestId('aligned-embed').locator('[data-shared]')).toHaveCount(0);
    await expect(page.getByTestId('columns-legend')).toContainText("the embedder's list also has");
  });

  test('the λ curve is the worker’s content Hit@k and overlap along λ, v₁ marked, the slider’s λ following', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const curve = page.getByTestId('lambda-curve');
    await expect(curve).toBeVisible();
    const bound = Number(await page.getByTestId('lambda-slider').getAttribute('max'));
    const session = await referenceSession();
    await session.align(13, SENTENCE, 10, 0);
    const reference = session.curve(13, 10, bound)!;
    const points = JSON.parse((await curve.getAttribute('data-points'))!);
    expect(points).toEqual(reference.points);
    expect(points[0].lambda).toBe(-bound);
    expect(points.at(-1).lambda).toBe(bound);
    await expect(page.getByTestId('lambda-curve-legend')).toContainText('v₁');

    const now = page.getByTestId('lambda-curve-now');
    const before = Number(await now.getAttribute('x1'));
    await page.getByTestId('lambda-v1').click();
    await expect.poll(async () => Number(await now.getAttribute('x1'))).not.toBe(before);
    await expect(curve.locator('svg')).toHaveAttribute('aria-label', /At λ = 0 the base shares \d+ of 10 tokens/);
  });

  test('byte and special tokens are hidden by default, counted, and shown again on request', async ({ page, openLens }) => {
    await openLens({ text: EMOJI });
    const reference = await (await referenceSession()).align(15, EMOJI, 10, 0);
    expect(reference.embed.filtered.hidden).toBeGreaterThan(0); // the premise: this text's top tokens are bytes
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
    await expect(page.getByTestId('aligned-embed').getByTestId('hidden-tokens')).toHaveText(
      `${reference.embed.filtered.hidden} byte or special tokens hidden above the last one listed.`,
    );
    const labels = await page.getByTestId('aligned-embed').locator('[data-testid="aligned-token"] .label').allTextContents();
    for (const label of labels) expect(label).not.toMatch(/^(<0x[0-9A-F]{2}>)+$/);

    await page.getByTestId('hide-noise').uncheck();
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.ids);
    await expect(page.getByTestId('hidden-tokens')).toHaveCount(0);
    await expect(page).toHaveURL(/[?&]tokens=all/);
  });

  test('the token diff leaves out byte and special tokens and says how many', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const session = await referenceSession();
    await session.align(16, SENTENCE, 10, 0);
    const all = session.diff(16, 0, 10, false)!;
    const filtered = session.diff(16, 0, 10, true)!;
    const noise = (rows: { id: number }[]) => rows.filter((r) => session.loaded.isNoise(r.id)).length;
    expect(noise([...all.risers, ...all.fallers])).toBeGreaterThan(0); // the premise: the unfiltered diff lists byte tokens
    const diffIds = () => page.getByTestId('diff-token').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
    await expect.poll(diffIds).toEqual([...filtered.risers, ...filtered.fallers].map((r) => r.id));
    const hidden = filtered.hidden.risers + filtered.hidden.fallers;
    expect(hidden).toBeGreaterThan(0);
    await expect(page.getByTestId('diff-hidden')).toContainText(`${filtered.hidden.risers} promoted and ${filtered.hidden.fallers} suppressed`);
    await page.getByTestId('hide-noise').uncheck();
    await expect.poll(diffIds).toEqual([...all.risers, ...all.fallers].map((r) => r.id));
    await expect(page.getByTestId('diff-hidden')).toHaveCount(0);
  });

  test('the paper’s side-by-side figure: embedder, base and base + v₁u₁ in one SVG', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const session = await referenceSession();
    const reference = await session.align(17, SENTENCE, 10, 0);
    await expect(page.getByTestId('export-side-by-side')).toBeVisible();
    const event: Promise<Download> = page.waitForEvent('download');
    await page.getByTestId('export-side-by-side-svg').click();
    const svg = readFileSync((await (await event).path())!, 'utf8');
    for (const title of ['Embedding model', 'Base model (λ = 0)', 'Base + v₁u₁']) expect(svg).toContain(title);
    // Each panel lists its model's tokens in order; the third is the base at λ = v₁, as the base column shows it there.
    const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const labels = async () => page.getByTestId('aligned-base').locator('[data-testid="aligned-token"] .label').allTextContents();
    const third = svg.slice(svg.indexOf('Base + v₁u₁'));
    const inOrder = (tokens: string[]) =>
      tokens.every((t, i) => third.indexOf(`>${escaped(t)}<`) > (i === 0 ? -1 : third.indexOf(`>${escaped(tokens[i - 1])}<`)));
    expect(inOrder(await labels())).toBe(false); // λ = 0 is not what the third panel shows…
    await page.getByTestId('lambda-v1').click();
    await expect.poll(async () => inOrder(await labels())).toBe(true); // …λ = v₁ is
    const firstPanel = svg.slice(0, svg.indexOf('Base model (λ = 0)'));
    expect(firstPanel).toContain(`>${escaped(reference.embed.filtered.tokens[0].text.replace(/^ /, '␣'))}<`);
  });
});
