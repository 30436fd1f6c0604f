import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { lensCommand } from '../tools/runCommand';
import { UsageError } from './io';
import type { Options } from './pair';
import { evaluate, index, search } from './retrieval';

const OPTIONS = {
  corpus: { type: 'string' },
  query: { type: 'string' },
  top: { type: 'string' },
  k: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  index: { type: 'string' },
  queries: { type: 'string' },
  qrels: { type: 'string' },
  weights: { type: 'string' },
  pair: { type: 'string' },
  'msmarco-sample': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

// The CLI contract, run as a user runs it: `lens evaluate|search|index` on the demo pair.
const lens = (...args: string[]) => {
  const run = spawnSync(...lensCommand(args), { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

const dir = mkdtempSync(join(tmpdir(), 'lens-retrieval-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const METRICS = ['ndcg10', 'mrr10', 'recall100'] as const;
const PYTHON = '/usr/bin/python3';
const EXPORT = join(dir, 'export');

/** Runs a command in this process (no tsx start-up, the model files stay in the OS cache) and returns its stdout. */
async function inProcess(command: (options: Options) => Promise<void>, args: string[]): Promise<string> {
  const options = parseArgs({ args, options: OPTIONS, strict: false }).values as Options;
  let out = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await command(options);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return out;
}

/**
 * `lens index` of 12 MS MARCO passages, written once to EXPORT and shared by the tests that read
 * it, whichever of them runs first (the tests pass alone and in any order).
 */
let exported: Promise<{ files: string[] }> | undefined;
const exportIndex = () =>
  (exported ??= inProcess(index, ['--pair', 'demo', '--msmarco-sample', '--limit', '12', '--k', '16', '--out', EXPORT]).then((out) => JSON.parse(out)));

describe('lens evaluate / search / index', () => {
  it('evaluate --msmarco-sample --json prints one JSON object with sparse, dense and bm25 metrics', () => {
    const { code, stdout, stderr } = lens('evaluate', '--pair', 'demo', '--msmarco-sample', '--limit', '30', '--k', '32', '--m', '2', '--json');
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    for (const method of ['sparse', 'dense', 'bm25']) {
      for (const metric of METRICS) {
        expect(result[method][metric]).toBeGreaterThanOrEqual(0);
        expect(result[method][metric]).toBeLessThanOrEqual(1);
      }
    }
    expect(result.documents).toBe(30);
    expect(result.evaluatedQueries).toBe(30);
    expect(result.options).toMatchObject({ k: 32, m: 2 });
    expect(result.sparse.nonZerosPerDoc).toBeLessThanOrEqual(32);
    expect(result.sparse.needsEncoder).toBe(true);
    // One relevant passage among 30: a random ranking finds it in the top 10 a third of the time.
    // BM25 shares words with the query, so it must do far better than that.
    expect(result.bm25.recall100).toBe(1);
    expect(result.bm25.mrr10).toBeGreaterThan(0.5);
    // Chance MRR@10 with one relevant document among 30: (1 + 1/2 + … + 1/10) / 30 ≈ 0.098.
    // The pair's aligned tokens and embeddings both rank the relevant passage above chance.
    const chance = Array.from({ length: 10 }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b) / 30;
    expect(result.sparse.mrr10).toBeGreaterThan(chance);
    expect(result.dense.mrr10).toBeGreaterThan(chance);
    expect(result.sparseOfDense).toBeCloseTo(result.sparse.ndcg10 / result.dense.ndcg10, 2);
    // Long passages are truncated to the context and counted on stderr.
    expect(result.truncatedDocuments).toBeGreaterThan(0);
    expect(stderr).toMatch(/truncated/);
  });

  it('evaluate reads TSV files; a passage prefix as the query finds its passage by dense retrieval above chance', async () => {
    const sample = readFileSync('public/data/msmarco-sample/sampled500.tsv', 'utf8').split('\n').slice(0, 30);
    const corpus = file('corpus.tsv', sample.map((l, i) => `d${i}\t${l.split('\t')[1]}`).join('\n'));
    const queries = file('queries.tsv', `id\ttext\n${sample.map((l, i) => `q${i}\t${l.split('\t')[1].slice(0, 100)}`).join('\n')}`);
    const qrels = file('qrels.tsv', sample.map((_, i) => `q${i}\td${i}\t1`).join('\n'));
    const result = JSON.parse(await inProcess(evaluate, ['--pair', 'demo', '--corpus', corpus, '--queries', queries, '--qrels', qrels, '--json']));
    expect(result.queries).toBe(30);
    // Chance MRR@10 over 30 documents is about 0.1.
    expect(result.dense.mrr10).toBeGreaterThan(0.2);
  });

  it('search shows the three rankings with the tokens each sparse result matched', async () => {
    const view = JSON.parse(
      await inProcess(search, ['--pair', 'demo', '--msmarco-sample', '--limit', '20', '--query', 'governor of plymouth colony', '--top', '5', '--json']),
    );
    expect(view.queryTokens.length).toBeGreaterThan(0);
    expect(view.dense).toHaveLength(5);
    expect(view.bm25[0].id).toBe('p0');
    for (const hit of view.sparse) {
      expect(hit.matches.length).toBeGreaterThan(0);
      expect(hit.score).toBeCloseTo(
        hit.matches.reduce((s: number, m: { weight: number }) => s + m.weight, 0),
        3,
      );
    }
  });

  it('index writes the Anserini and Elasticsearch files', async () => {
    const out = EXPORT;
    const summary = await exportIndex();
    expect(summary.files).toEqual([
      'lens/index.json',
      'anserini/collection.jsonl',
      'elasticsearch/mapping.json',
      'elasticsearch/bulk.ndjson',
      'anserini/topics.jsonl',
      'elasticsearch/msearch.ndjson',
      'run.trec',
    ]);
    const docs = readFileSync(join(out, 'anserini/collection.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toHaveLength(12);
    for (const d of docs) for (const w of Object.values(d.vector)) expect(Number.isInteger(w)).toBe(true);
    expect(readFileSync(join(out, 'elasticsearch/bulk.ndjson'), 'utf8').trim().split('\n')).toHaveLength(24);
    expect(readFileSync(join(out, 'anserini/topics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(12);
  });

  it('search --index reuses the saved index: the same rankings without embedding the corpus again', async () => {
    const out = EXPORT;
    await exportIndex();
    const args = ['--pair', 'demo', '--query', 'father of modern medicine', '--k', '16', '--top', '5', '--json'];
    const fromIndex = JSON.parse(await inProcess(search, [...args, '--index', out]));
    const fromCorpus = JSON.parse(await inProcess(search, [...args, '--msmarco-sample', '--limit', '12']));
    for (const method of ['sparse', 'dense', 'bm25']) {
      expect(fromIndex[method].map((h: { id: string }) => h.id)).toEqual(fromCorpus[method].map((h: { id: string }) => h.id));
    }
  });

  it('an independent Python scorer reading only the exported files reproduces the app ranking (run.trec)', async () => {
    // Not skipped where Python is missing: the test fails and says what to install (.ci/run installs it).
    expect(existsSync(PYTHON), `${PYTHON} is needed for the independent scorer: apt-get install python3`).toBe(true);
    const out = EXPORT;
    await exportIndex();
    const columns = (run: string) =>
      run
        .trim()
        .split('\n')
        .map((line) => line.split(' ').slice(0, 5).join(' '));
    const expected = columns(readFileSync(join(out, 'run.trec'), 'utf8'));
    expect(expected.length).toBeGreaterThan(0);
    for (const format of ['anserini', 'elasticsearch']) {
      const run = spawnSync(PYTHON, ['tools/reference/score_exports.py', out, format], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(columns(run.stdout)).toEqual(expected);
    }
  });

  it.each([
    [
      'an empty corpus',
      () => ['--corpus', file('empty.tsv', ''), '--queries', file('q.tsv', 'q1\thi'), '--qrels', file('r.tsv', 'q1\td1\t1')],
      /corpus file has no rows/,
    ],
    [
      'duplicate ids',
      () => ['--corpus', file('dup.tsv', 'd1\ta\nd1\tb'), '--queries', file('q.tsv', 'q1\thi'), '--qrels', file('r.tsv', 'q1\td1\t1')],
      /duplicate id "d1"/,
    ],
    [
      'an empty query',
      () => ['--corpus', file('c.tsv', 'd1\ta'), '--queries', file('eq.tsv', 'q1\t  '), '--qrels', file('r.tsv', 'q1\td1\t1')],
      /"q1" has an empty text/,
    ],
    [
      'qrels naming unknown ids',
      () => ['--corpus', file('c.tsv', 'd1\ta'), '--queries', file('q.tsv', 'q1\thi'), '--qrels', file('u.tsv', 'q1\td9\t1')],
      /unknown id.*document "d9"/,
    ],
    ['a missing file', () => ['--corpus', join(dir, 'nope.tsv'), '--queries', file('q.tsv', 'q1\thi'), '--qrels', file('r.tsv', 'q1\td1\t1')], /no such file/],
    ['a bad weighting', () => ['--msmarco-sample', '--weights', 'cube'], /--weights must be one of/],
  ])('evaluate rejects %s with a clear usage error (exit code 2) before loading a model', async (_, args, message) => {
    const options = parseArgs({ args: ['--pair', 'demo', ...args(), '--json'], options: OPTIONS, strict: false }).values;
    await expect(evaluate(options as Options)).rejects.toThrow(UsageError);
    await expect(evaluate(options as Options)).rejects.toThrow(message);
  });

  it('exits with code 2 and one clear line on bad input', () => {
    const { code, stderr } = lens('search', '--pair', 'demo', '--msmarco-sample', '--query', '   ');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--query .* must not be empty/);
  });
});
