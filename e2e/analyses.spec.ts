import { readFileSync } from 'node:fs';
import { parseTexts } from '../src/core/datasets';
import { analyzeDataset } from '../src/runtime/analyses';
import { expect, PAIR, referenceSession, test } from './fixtures';

const STSB = parseTexts(readFileSync('public/data/stsb/sts-test.csv', 'utf8'), 'stsb').texts;
/** The per-text table's page (ui/analysis/PerTextTable.tsx). */
const PER_TEXT_PAGE = 50;

test.describe(`analyses on the ${PAIR} pair`, () => {
  test('dataset analysis: table equal to the core in Node, variation chart, per-text list, export', async ({ page, openLens, backend }) => {
    // On WASM more texts than the per-text table's page, so that its paging is seen; on software WebGPU (SwiftShader,
    // ~1 s a text when the two cores are busy) the 20 components' worth that the parity with Node needs.
    const texts = backend === 'webgpu' ? 20 : 60;
    await openLens({ view: 'analysis' });
    await page.getByTestId('analysis-limit').fill(String(texts));
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 120_000 });

    const reference = await analyzeDataset((await referenceSession()).loaded, STSB.slice(0, texts), { k: 10 });
    for (const key of ['embed', 'base', 'baseAdjusted'] as const) {
      const cells = await page.getByTestId(`analysis-row-${key}`).locator('td').allTextContents();
      const m = reference.report.metrics[key];
      const c = reference.report.content[key];
      expect(cells.slice(1).map(Number)).toEqual(
        [m.hit10, m.lar, m.gar, c.hit10, c.lar, c.gar, reference.report.frequentShare[key]].map((x) => Number(x.toFixed(3))),
      );
    }
    await expect(page.getByTestId('variation-bar')).toHaveCount(20);
    await expect(page.getByTestId('pc1-positive').locator('li')).toHaveCount(15);
    await expect(page.getByTestId('per-text-row')).toHaveCount(Math.min(texts, PER_TEXT_PAGE));

    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    // Settings, summary, then the per-text table (checked in detail in analysis-research.spec.ts).
    expect(csv.split('\n')[0].trim()).toBe('setting,value');
    const perTextHeader = csv.split('\n').findIndex((line) => line.startsWith('index,text,key_tokens,embed_top,base_top'));
    expect(perTextHeader).toBeGreaterThan(0);
    expect(csv.trim().split('\n').length - perTextHeader - 1).toBe(texts);

    // The dataset's u1 / v1 can drive the explorer's slider.
    await page.getByTestId('use-direction').click();
    await page.getByTestId('view-explorer').click();
    await expect(page.getByText(`u₁ and v₁ from the ${texts} texts of STS-B test`)).toBeVisible();
  });

  test('cancelling an analysis keeps the previous results; a malformed file names its line', async ({ page, openLens }) => {
    await openLens({ view: 'analysis' });
    await page.getByTestId('analysis-limit').fill('20');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    const before = await page.getByTestId('analysis-table').textContent();

    await page.getByTestId('analysis-limit').fill('1300');
    await page.getByTestId('analysis-run').click();
    await page.getByTestId('analysis-cancel').click();
    await expect(page.getByTestId('analysis-message')).toContainText('cancelled');
    expect(await page.getByTestId('analysis-table').textContent()).toBe(before);

    await page.getByLabel('Your own file').check();
    await page
      .getByTestId('dataset-file')
      .setInputFiles({ name: 'bad.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"text":"ok"}\n{broken\n') });
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-message')).toContainText('line 2');
    expect(await page.getByTestId('analysis-table').textContent()).toBe(before);
  });

  test('contribution view splits each top logit into PC1 and the rest', async ({ page, openLens }) => {
    await openLens({ text: 'A woman is slicing an onion.' });
    await page.getByTestId('contribution-details').locator('summary').click();
    const rows = page.getByTestId('contribution-embed').getByTestId('contribution-row');
    await expect(rows).toHaveCount(10);
    const ids = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
    const shown = await page
      .getByTestId('aligned-embed')
      .getByTestId('aligned-token')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
    expect(ids).toEqual(shown);
  });

  test('instruction view: the same text under three instructions, equal to the core in Node', async ({ page, openLens }) => {
    await openLens({ view: 'instructions', text: 'I am so happy about the news!' });
    await page.getByTestId('instruction-1').fill('Represent the topic of: {text}');
    await page.getByTestId('instructions-run').click();
    await expect(page.getByTestId('instruction-column')).toHaveCount(3);
    const session = await referenceSession();
    const { compareTemplates } = await import('../src/runtime/analyses');
    const templates = await Promise.all([0, 1, 2].map((i) => page.getByTestId(`instruction-${i}`).inputValue()));
    const reference = await compareTemplates(session.loaded, 'I am so happy about the news!', templates, 10);
    for (const [i, view] of reference.entries()) {
      const ids = await page
        .getByTestId('instruction-column')
        .nth(i)
        .getByTestId('list-token')
        .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
      expect(ids).toEqual(view.ids);
    }
  });

  test('similarity view: cosines under both models and shared tokens', async ({ page, openLens }) => {
    await openLens({ view: 'similarity' });
    await page.getByTestId('similarity-text-0').fill('A dog runs in the park.');
    await page.getByTestId('similarity-text-1').fill('A puppy is running on the grass.');
    await page.getByTestId('similarity-run').click();
    const { compareTexts } = await import('../src/runtime/analyses');
    const reference = await compareTexts((await referenceSession()).loaded, 'A dog runs in the park.', 'A puppy is running on the grass.', 10);
    await expect(page.getByTestId('cosine-embed')).toHaveText(reference.cosine.embed.toFixed(4));
    await expect(page.getByTestId('cosine-base')).toHaveText(reference.cosine.base.toFixed(4));
    const shared = reference.a.embed.ids.filter((id) => reference.b.embed.ids.includes(id));
    await expect(page.getByTestId('similarity-embed-a').locator('[data-marked="true"]')).toHaveCount(shared.length);
  });
});
