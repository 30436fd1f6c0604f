import type { Locator, Page } from '@playwright/test';
import { compareTemplates, compareTexts } from '../src/runtime/analyses';
import { QWEN3_QUERY_TEMPLATE } from '../src/shared/catalog';
import { defaultInstructions } from '../src/shared/instructions';
import { PROMPT_EOL_TEMPLATE } from '../src/shared/manifest';
import { expect, PAIR, referenceSession, test } from './fixtures';

// The Similarity and Instructions views on real models (#25 part 7): both models' tokens for both texts, equal
// to the core in Node; the Instructions view's defaults follow the loaded pair, and a user's own stay.

const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const K = 10;

const ids = (list: Locator) => list.getByTestId('list-token').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-token-id'))));
const markedIds = (list: Locator) => list.locator('[data-marked="true"]').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-token-id'))));
const templatesShown = (page: Page) => Promise.all([0, 1, 2].map((i) => page.getByTestId(`instruction-${i}`).inputValue()));
const tplInUrl = (page: Page) => new URL(page.url()).searchParams.getAll('tpl');

test.describe(`Similarity and Instructions on the ${PAIR} pair`, () => {
  test("similarity: the embedder's and the base model's top-k for both texts, the shared ones marked, equal to Node", async ({ page, openLens }) => {
    await openLens({ view: 'similarity', k: String(K) });
    const [a, b] = await Promise.all([page.getByTestId('similarity-text-0').inputValue(), page.getByTestId('similarity-text-1').inputValue()]);
    await page.getByTestId('similarity-run').click();
    await expect(page.getByTestId('similarity-scores')).toBeVisible();
    const reference = await compareTexts((await referenceSession()).loaded, a, b, K);

    for (const model of ['embed', 'base'] as const) {
      const shared = reference.a[model].ids.filter((id) => reference.b[model].ids.includes(id));
      for (const side of ['a', 'b'] as const) {
        const list = page.getByTestId(`similarity-${model}-${side}`);
        expect(await ids(list), `${model} ${side}`).toEqual(reference[side][model].ids);
        expect(await ids(list)).toHaveLength(K);
        // The marked tokens are exactly those the other text's list under the same model also has, in gold.
        expect((await markedIds(list)).sort(), `${model} ${side} marked`).toEqual(shared.filter((id) => reference[side][model].ids.includes(id)).sort());
        await expect(list.locator('[data-marked="true"] .shared-mark')).toHaveCount(shared.length);
      }
      await expect(page.getByTestId(`shared-${model}`)).toHaveText(`${shared.length} of ${K}`);
      await expect(page.getByTestId(`similarity-${model}-shared`)).toHaveText(String(shared.length));
      await expect(page.getByTestId(`cosine-${model}`)).toHaveText(reference.cosine[model].toFixed(4));
    }
    // The two models' lists differ on this pair (the point of showing both).
    expect(reference.a.embed.ids).not.toEqual(reference.a.base.ids);
    // Gold means one thing here, and the legend says which.
    const legend = page.getByTestId('similarity-legend');
    await expect(legend.locator('[data-swatch="shared"]')).toContainText('both texts');
    const gold = await legend.locator('.swatch.shared').evaluate((el) => getComputedStyle(el).backgroundColor);
    const mark = page.locator('.token-list .shared-mark').first();
    if ((await mark.count()) > 0) expect(await mark.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(gold);
  });

  test("instructions: the pair's own defaults (not Qwen3's), run on the model; an edit survives a reload, a link and Reset", async ({ page, openLens }) => {
    const session = await referenceSession();
    const defaults = defaultInstructions(session.loaded.manifest.embed.template);
    await openLens({ view: 'instructions', text: 'I am so happy about the news!' });
    expect(await templatesShown(page)).toEqual(defaults);
    for (const t of await templatesShown(page)) expect(t).not.toContain('Given a web search query');
    if (session.loaded.manifest.embed.template === '{text}') {
      expect(defaults).toEqual(defaultInstructions(undefined));
      await expect(page.getByTestId('instruction-defaults-note')).toContainText('plain prefixes');
    }
    expect(tplInUrl(page)).toEqual([]);

    // The defaults run through the embedder: each column equals the core's for that template.
    await page.getByTestId('instructions-run').click();
    await expect(page.getByTestId('instruction-column')).toHaveCount(3);
    const reference = await compareTemplates(session.loaded, 'I am so happy about the news!', defaults, K);
    for (const [i, view] of reference.entries()) {
      const column = page.getByTestId('instruction-column').nth(i);
      await expect(column.locator('pre.template')).toHaveText(defaults[i]);
      expect(await ids(column)).toEqual(view.ids);
    }

    // An edit goes into the link and survives a reload; the untouched ones stay the pair's defaults.
    await page.getByTestId('instruction-2').fill('The topic of: {text}');
    await expect.poll(() => tplInUrl(page)).toEqual([defaults[0], defaults[1], 'The topic of: {text}']);
    await page.reload();
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    expect(await templatesShown(page)).toEqual([defaults[0], defaults[1], 'The topic of: {text}']);
    await expect(page.getByTestId('instruction-defaults-note')).toContainText('Your own instructions');
    expect(tplInUrl(page)).toEqual([defaults[0], defaults[1], 'The topic of: {text}']);

    // A link with tpl= restores its templates, even Qwen3's on this pair (they differ from this pair's defaults).
    const qwen = defaultInstructions(QWEN3_QUERY_TEMPLATE);
    const link = new URLSearchParams({ pair: PAIR, view: 'instructions' });
    for (const t of qwen) link.append('tpl', t);
    await page.goto(`/?${link}`);
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    expect(await templatesShown(page)).toEqual(qwen);
    await expect.poll(() => tplInUrl(page)).toEqual(qwen);

    // Back to the pair's defaults: out of the link.
    await page.getByTestId('instructions-reset').click();
    expect(await templatesShown(page)).toEqual(defaults);
    await expect.poll(() => tplInUrl(page)).toEqual([]);
  });

  test('instructions on a pair with a template (PromptEOL, from the test Hub): defaults in its format, run on its embedder', async ({ page, backend }) => {
    const pooling = (await referenceSession()).loaded.manifest.embed.pooling;
    const eolPair = `hub:hubtest/demo-embed;hubtest/demo-base;${pooling};${PROMPT_EOL_TEMPLATE}`;
    await page.goto(`/?${new URLSearchParams({ pair: eolPair, hub: HUB, view: 'instructions', backend })}`);
    await expect(page.getByTestId('link-question')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('confirm-load').click();
    await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
    const eol = defaultInstructions(PROMPT_EOL_TEMPLATE);
    expect(await templatesShown(page)).toEqual(eol);
    for (const t of eol) expect(t).toMatch(/^This sentence : "\{text\}" .*in one word:"$/);
    await expect(page.getByTestId('instruction-defaults-note')).toContainText(PROMPT_EOL_TEMPLATE);
    expect(tplInUrl(page)).toEqual([]);
    // The defaults run on this pair's embedder.
    await page.getByTestId('instructions-run').click();
    await expect(page.getByTestId('instruction-column')).toHaveCount(3);
    await expect(page.getByTestId('instruction-column').first().getByTestId('list-token')).toHaveCount(K);
    // An edit typed back to the default is the default again: the link names no template.
    await page.getByTestId('instruction-0').fill('Mine: {text}');
    await expect.poll(() => tplInUrl(page)).toHaveLength(3);
    await page.getByTestId('instruction-0').fill(eol[0]);
    await expect.poll(() => tplInUrl(page)).toEqual([]);
  });
});
