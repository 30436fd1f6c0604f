import { readFileSync } from 'node:fs';
import { msmarcoSample } from '../src/core/retrieval/collection';
import { RetrievalRuntime } from '../src/runtime/retrieval';
import { expect, PAIR, referenceSession, test } from './fixtures';

const FIRST_N = 50;
const SAMPLE = msmarcoSample(readFileSync('public/data/msmarco-sample/sampled500.tsv', 'utf8'), FIRST_N);
const QUERY = SAMPLE.queries[0].text;

const hitIds = (page: import('@playwright/test').Page, column: string) =>
  page
    .getByTestId(`retrieval-results-${column}`)
    .getByTestId('retrieval-hit')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-doc-id')));

const tableRow = async (page: import('@playwright/test').Page, method: string) =>
  (await page.getByTestId(`retrieval-eval-${method}`).locator('td').allTextContents()).slice(1, 4).map(Number);

test.describe(`retrieval on the ${PAIR} pair`, () => {
  test('index the MS MARCO sample, search it in three columns, read the evaluation table', async ({ page, openLens }) => {
    await openLens({ view: 'retrieval' });
    await page.getByTestId('retrieval-first-n').selectOption(String(FIRST_N));
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-summary')).toContainText(`${FIRST_N} documents indexed`, { timeout: 80_000 });
    await expect(page.getByTestId('retrieval-summary')).toContainText('truncated');

    // The same corpus in Node (onnxruntime-node) gives the same rankings, up to float noise between backends.
    const reference = new RetrievalRuntime((await referenceSession()).loaded);
    await reference.build(SAMPLE.corpus, { k: 64, scheme: 'relu', bm25: 'words' });
    const expected = await reference.search(QUERY, 0, 10);

    // The index opens on a default query; the typed one is searched after a debounce, so the columns are read
    // only once they show its hits (reading at once raced the search and saw the default query's four hits).
    await page.getByTestId('retrieval-query').fill(QUERY);
    await expect(page.getByTestId('retrieval-query-tokens')).toBeVisible();
    await expect.poll(() => hitIds(page, 'bm25'), { timeout: 30_000 }).toEqual(expected.bm25.map((h) => h.id));
    // The query's own passage shares its rare words: BM25 ranks it first.
    expect((await hitIds(page, 'bm25'))[0]).toBe('p0');
    for (const column of ['sparse', 'dense']) {
      await expect(page.getByTestId(`retrieval-results-${column}`).getByTestId('retrieval-hit').first()).toBeVisible();
    }
    // Each sparse hit names the query tokens it matched, with weights.
    const why = page.getByTestId('retrieval-results-sparse').getByTestId('retrieval-matches').first();
    await expect(why.locator('.chip').first()).toBeVisible();
    const sparse = await hitIds(page, 'sparse');
    expect(sparse.filter((id) => expected.sparse.some((h) => h.id === id)).length).toBeGreaterThanOrEqual(Math.min(8, expected.sparse.length));

    // Evaluation on the 50 judged queries, equal to Node's within backend noise.
    await expect(page.getByTestId('retrieval-eval-table')).toBeVisible({ timeout: 60_000 });
    const evaluation = await reference.evaluate(SAMPLE.queries, SAMPLE.qrels, 0);
    for (const method of ['sparse', 'dense', 'bm25'] as const) {
      const [ndcg, mrr, recall] = await tableRow(page, method);
      expect(Math.abs(ndcg - evaluation[method].ndcg10)).toBeLessThan(0.03);
      expect(Math.abs(mrr - evaluation[method].mrr10)).toBeLessThan(0.03);
      expect(Math.abs(recall - evaluation[method].recall100)).toBeLessThan(0.03);
    }
    await expect(page.getByTestId('retrieval-sparse-of-dense')).toContainText('% of dense nDCG@10');

    // K is adjustable: the table follows (at most K non-zeros per document).
    await page.getByTestId('retrieval-k').selectOption('16');
    await expect(page.getByTestId('retrieval-eval-sparse').locator('td').last()).toHaveText(/^(1[0-6]|[0-9])(\.\d)?$/);
    await expect(page.getByTestId('retrieval-eval-footnote')).toContainText('K = 16');
  });

  test('indexing can be cancelled; an empty corpus file is reported', async ({ page, openLens }) => {
    await openLens({ view: 'retrieval' });
    await page.getByTestId('retrieval-first-n').selectOption('500');
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-progress')).toBeVisible();
    await page.getByTestId('retrieval-cancel').click();
    await expect(page.getByTestId('retrieval-message')).toContainText('cancelled');
    await expect(page.getByTestId('retrieval-build')).toBeEnabled();

    await page.getByLabel('Your own files').check();
    await page.getByTestId('retrieval-file-corpus').setInputFiles({ name: 'empty.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('\n') });
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-message')).toContainText('no rows');

    // Your own corpus, queries and qrels: indexed, searchable, evaluated.
    const tsv = (rows: string[][]) => Buffer.from(rows.map((r) => r.join('\t')).join('\n'));
    const docs = SAMPLE.corpus.slice(0, 6);
    await page
      .getByTestId('retrieval-file-corpus')
      .setInputFiles({ name: 'corpus.tsv', mimeType: 'text/tab-separated-values', buffer: tsv(docs.map((d) => [d.id, d.text])) });
    await page
      .getByTestId('retrieval-file-queries')
      .setInputFiles({ name: 'queries.tsv', mimeType: 'text/tab-separated-values', buffer: tsv(SAMPLE.queries.slice(0, 6).map((q) => [q.id, q.text])) });
    await page
      .getByTestId('retrieval-file-qrels')
      .setInputFiles({ name: 'qrels.tsv', mimeType: 'text/tab-separated-values', buffer: tsv(docs.map((d, i) => [`q${i}`, d.id, '1'])) });
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-summary')).toContainText('6 documents indexed', { timeout: 60_000 });
    await expect(page.getByTestId('retrieval-eval-footnote')).toContainText('6 queries over 6 documents');
  });
});
