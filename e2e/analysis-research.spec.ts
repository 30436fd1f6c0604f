import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import Papa from 'papaparse';
import { parseTexts } from '../src/core/datasets';
import { hitAtK, localAlignmentRate, uniqueIds } from '../src/core/metrics';
import type { DatasetReport, ModelKey } from '../src/core/report';
import { analyzeDataset } from '../src/runtime/analyses';
import { expect, PAIR, referenceSession, shownIds, test } from './fixtures';

// The Analysis view as a researcher uses it (issue #25, parts 5 and 6): their own files, asked which
// column holds the texts; a file that is not text refused; sorting both ways; a row opened in the
// explorer; exports that carry everything; the metrics defined in the app. Numbers are checked against
// the same core run in Node on the same texts (onnxruntime-node), never against the app's own output.

const STSB = parseTexts(readFileSync('public/data/stsb/sts-test.csv', 'utf8'), 'stsb').texts;
const FIXTURES = 'e2e/fixtures';
const MODELS: readonly ModelKey[] = ['embed', 'base', 'baseAdjusted'];

/** The summary table's numbers, as the core in Node gives them, rounded as the table shows them. */
function summaryCells(report: DatasetReport, key: ModelKey): number[] {
  const m = report.metrics[key];
  const c = report.content[key];
  return [m.hit10, m.lar, m.gar, c.hit10, c.lar, c.gar, report.frequentShare[key]].map((x) => Number(x.toFixed(3)));
}

async function expectTableEqualsNode(page: Page, texts: string[]) {
  const reference = await analyzeDataset((await referenceSession()).loaded, texts, { k: 10 });
  await expect(page.getByRole('heading', { name: new RegExp(`^Alignment on .*: ${texts.length} texts`) })).toBeVisible();
  for (const key of MODELS) {
    const cells = await page.getByTestId(`analysis-row-${key}`).locator('td').allTextContents();
    expect(cells.slice(1).map(Number), key).toEqual(summaryCells(reference.report, key));
  }
}

async function runAndWait(page: Page) {
  await page.getByTestId('analysis-run').click();
  await expect(page.getByTestId('analysis-run')).toBeEnabled({ timeout: 90_000 });
}

test.describe(`the Analysis view as a researcher uses it, on the ${PAIR} pair`, () => {
  test('your own data: a column named sentence is used and said so; unnamed columns are asked; a PNG is refused and the old results marked', async ({
    page,
    openLens,
  }) => {
    await openLens({ view: 'analysis' });
    await page.getByLabel('Your own file').check();

    // id,sentence,label: the sentence column, not the id column before it, and one line that says so.
    const csvPath = `${FIXTURES}/id-sentence-label.csv`;
    await page.getByTestId('dataset-file').setInputFiles(csvPath);
    await expect(page.getByTestId('dataset-field-note')).toContainText('“sentence”');
    await runAndWait(page);
    const sentences = Papa.parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { header: true, skipEmptyLines: true }).data.map((row) => row.sentence);
    await expectTableEqualsNode(page, sentences);
    const before = await page.getByTestId('analysis-table').textContent();
    await expect(page.getByTestId('analysis-input-stale')).toHaveCount(0);

    // id, body, label: nothing says which holds the texts, so the view lists them and asks.
    const tsvPath = `${FIXTURES}/id-body-label.tsv`;
    await page.getByTestId('dataset-file').setInputFiles(tsvPath);
    const select = page.getByTestId('dataset-column');
    await expect(select.locator('option:not([value=""])')).toHaveText(['id', 'body', 'label']);
    await expect(select).toHaveValue('');
    await expect(page.getByTestId('dataset-field-note')).toContainText('choose');
    // Results of the previous file are still shown, marked as not being of the file chosen now.
    await expect(page.getByTestId('analysis-input-stale')).toContainText('id-sentence-label.csv');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-message')).toContainText('choose');
    expect(await page.getByTestId('analysis-table').textContent()).toBe(before);

    await select.selectOption('body');
    await runAndWait(page);
    const bodies = Papa.parse<Record<string, string>>(readFileSync(tsvPath, 'utf8'), { header: true, delimiter: '\t', skipEmptyLines: true }).data.map(
      (row) => row.body,
    );
    await expectTableEqualsNode(page, bodies);
    const afterTsv = await page.getByTestId('analysis-table').textContent();
    await expect(page.getByTestId('analysis-input-stale')).toHaveCount(0);

    // A PNG is not text: one line naming the file and the cause; the results stay, marked.
    await page.getByTestId('dataset-file').setInputFiles(`${FIXTURES}/gradient.png`);
    const message = page.getByTestId('analysis-message');
    await expect(message).toContainText('gradient.png is not a text file: it contains NUL bytes');
    expect((await message.textContent())?.includes('\n')).toBe(false);
    expect(await page.getByTestId('analysis-table').textContent()).toBe(afterTsv);
    await expect(page.getByTestId('analysis-input-stale')).toContainText('id-body-label.tsv');
    await page.getByTestId('analysis-run').click();
    await expect(message).toContainText('Choose a file');
    expect(await page.getByTestId('analysis-table').textContent()).toBe(afterTsv);
  });

  test('sorting both ways, a row opened in the explorer, exports with everything, the metrics defined', async ({ page, openLens }) => {
    const n = 30;
    await openLens({ view: 'analysis' });
    await page.getByTestId('analysis-limit').fill(String(n));
    await runAndWait(page);
    await expect(page.getByTestId('per-text-row')).toHaveCount(n);
    const texts = STSB.slice(0, n);
    const reference = await analyzeDataset((await referenceSession()).loaded, texts, { k: 10 });
    const { perText } = reference.report;

    // --- Sorting: the gain column, descending then ascending (ties by position), aria-sort following.
    const gains = perText.map((p) => localAlignmentRate(p.top.embed, uniqueIds(p.ids)) - localAlignmentRate(p.top.base, uniqueIds(p.ids)));
    const order = (sign: 1 | -1) => gains.map((_, i) => i).sort((a, b) => sign * (gains[a] - gains[b]) || a - b);
    const shownOrder = () => page.getByTestId('per-text-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-index'))));
    const gainHeader = page.getByTestId('sort-gain');
    await gainHeader.getByRole('button').click();
    await expect(gainHeader).toHaveAttribute('aria-sort', 'descending');
    expect(await shownOrder()).toEqual(order(-1));
    await gainHeader.getByRole('button').click();
    await expect(gainHeader).toHaveAttribute('aria-sort', 'ascending');
    expect(await shownOrder()).toEqual(order(1));
    await expect(page.getByTestId('sort-index')).not.toHaveAttribute('aria-sort', /ending/);
    await page.getByTestId('sort-index').getByRole('button').click();
    await expect(page.getByTestId('sort-index')).toHaveAttribute('aria-sort', 'ascending');
    await page.getByTestId('sort-index').getByRole('button').click();
    await expect(page.getByTestId('sort-index')).toHaveAttribute('aria-sort', 'descending');
    expect(await shownOrder()).toEqual(texts.map((_, i) => n - 1 - i));

    // --- Definitions: on hover (title) and in a disclosure opened from the keyboard, citing the paper.
    const headers = page.getByTestId('analysis-table').locator('thead th');
    for (const label of ['Hit@10', 'LAR', 'GAR', 'content Hit@10', 'content LAR', 'content GAR']) {
      await expect(headers.filter({ hasText: new RegExp(`^${label}$`) })).toHaveAttribute('title', /.{40,}/);
    }
    const definitions = page.getByTestId('metric-definitions');
    await definitions.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(definitions).toHaveAttribute('open');
    for (const term of ['Hit@k', 'LAR', 'GAR', 'content', '§3']) await expect(definitions).toContainText(term);

    // --- Exports: settings, the summary of all metrics for the three models, every text with the gain.
    const status = (await page.getByTestId('model-status').textContent()) ?? '';
    const expectSettings = (settings: Record<string, unknown>) => {
      expect(settings.pair).toBe(PAIR);
      expect(Number(settings.k)).toBe(10);
      expect(Number(settings.texts)).toBe(n);
      expect(settings.dataset).toBe('STS-B test');
      expect(Number(settings.lambda_v1)).toBeCloseTo(reference.report.lambda, 3);
      const dtype = String(settings.dtype);
      expect(dtype).toMatch(/^(fp32|fp16|q8|q4|q4f16|int8|uint8|bnb4)$/);
      if (dtype === 'fp32') expect(status).not.toMatch(/ (fp16|q8|q4|q4f16) /);
      else expect(status).toContain(dtype);
    };
    const expectSummary = (rows: Record<string, unknown>[]) => {
      expect(rows.map((r) => r.model)).toEqual(['embed', 'base', 'base_plus_v1u1']);
      for (const [i, key] of MODELS.entries()) {
        const m = reference.report.metrics[key];
        const c = reference.report.content[key];
        const expected = {
          hit10: m.hit10,
          hit_k: m.hitAtK,
          lar: m.lar,
          gar: m.gar,
          content_texts: c.n,
          content_hit10: c.hit10,
          content_lar: c.lar,
          content_gar: c.gar,
          frequent_share: reference.report.frequentShare[key],
        };
        for (const [name, value] of Object.entries(expected)) expect(Number(rows[i][name]), `${key} ${name}`).toBeCloseTo(value, 3);
      }
    };
    const expectPerText = (rows: Record<string, unknown>[]) => {
      expect(rows).toHaveLength(n);
      for (const [i, p] of perText.entries()) {
        const ids = uniqueIds(p.ids);
        const content = ids.filter((id) => p.contentIds.includes(id));
        const row = rows[i];
        expect(row.text).toBe(texts[i]);
        const expected: Record<string, number> = { gain: gains[i] };
        for (const [key, prefix] of [
          ['embed', 'embed'],
          ['base', 'base'],
          ['baseAdjusted', 'adjusted'],
        ] as const) {
          expected[`${prefix}_hit_k`] = hitAtK(p.top[key], ids, 10);
          expected[`${prefix}_lar`] = localAlignmentRate(p.top[key], ids);
          if (content.length) {
            expected[`${prefix}_content_hit10`] = hitAtK(p.top[key], content, 10);
            expected[`${prefix}_content_lar`] = localAlignmentRate(p.top[key], content);
          }
        }
        for (const [name, value] of Object.entries(expected)) expect(Number(row[name]), `text ${i + 1} ${name}`).toBeCloseTo(value, 6);
      }
    };

    const jsonDownload = page.waitForEvent('download');
    await page.getByTestId('export-json').click();
    const json = JSON.parse(readFileSync(await (await jsonDownload).path(), 'utf8'));
    expectSettings(json.settings);
    expectSummary(json.summary);
    expectPerText(json.perText);

    // The CSV: three tables one after another, each with its header, separated by an empty line.
    const csvDownload = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const cells = Papa.parse<string[]>(readFileSync(await (await csvDownload).path(), 'utf8'), { skipEmptyLines: false }).data;
    const blocks: string[][][] = [[]];
    for (const row of cells) {
      if (row.length === 1 && row[0] === '') blocks.push([]);
      else blocks[blocks.length - 1].push(row);
    }
    const tables = blocks.filter((b) => b.length).map(([header, ...rows]) => rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
    expect(tables).toHaveLength(3);
    expectSettings(Object.fromEntries(tables[0].map((r) => [r.setting, r.value])));
    expectSummary(tables[1]);
    expectPerText(tables[2]);

    // --- A row opened in the explorer: its text there, the explorer's tab current, its top tokens computed.
    await page.getByTestId('sort-gain').getByRole('button').click(); // descending again: the largest gain first
    const first = order(-1)[0];
    // The analysis ranks every token: show every token in the explorer too (one setting for all views).
    await page.getByTestId('pc1-hide-noise').uncheck();
    await page.getByTestId('per-text-row').first().getByTestId('open-in-explorer').click();
    await expect(page.getByTestId('hide-noise')).not.toBeChecked();
    await expect(page.getByTestId('view-explorer')).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('text-input')).toHaveValue(texts[first]);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(perText[first].top.embed.slice(0, 10));
  });
});
