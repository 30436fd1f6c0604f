/**
 * lens index | search | evaluate: sparse retrieval from aligned tokens (the
 * paper's training-free retriever) beside dense and BM25, over src/core/retrieval.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BM25_MIN_DOCS, type Bm25Analyzer } from '../src/core/retrieval/bm25';
import { CollectionError, type Entry, msmarcoSample, parseEntries, parseQrels, type TestCollection } from '../src/core/retrieval/collection';
import { anseriniCollection, anseriniTopics, elasticBulk, elasticMapping, elasticMsearch, quantize, trecRun } from '../src/core/retrieval/export';
import { loadIndex, saveIndex } from '../src/core/retrieval/persist';
import { DEFAULT_SPARSE, K_MAX, WEIGHT_SCHEMES, type WeightScheme } from '../src/core/retrieval/representation';
import { loadPair } from '../src/runtime/loadPair';
import { RetrievalRuntime, type SearchView } from '../src/runtime/retrieval';
import { isHubHead } from '../src/shared/manifest';
import { parseCount, progress, progressDone, readInput, UsageError, writeJson } from './io';
import { cpuLoadOptions, type Options, type ResolvedPair, resolvePair } from './pair';

export const MSMARCO_SAMPLE = resolve(import.meta.dirname, '..', 'public', 'data', 'msmarco-sample', 'sampled500.tsv');

function sparseOptions(options: Options) {
  const k = parseCount(options.k as string | undefined, 'k', DEFAULT_SPARSE.k);
  if (k > K_MAX) throw new UsageError(`--k is at most ${K_MAX}, got ${k}`);
  const m = options.m === undefined ? 0 : Number(options.m);
  if (!Number.isInteger(m) || m < 0 || m > K_MAX) throw new UsageError(`--m must be an integer from 0 to ${K_MAX}, got "${options.m}"`);
  const scheme = (options.weights ?? DEFAULT_SPARSE.scheme) as WeightScheme;
  if (!WEIGHT_SCHEMES.includes(scheme)) throw new UsageError(`--weights must be one of ${WEIGHT_SCHEMES.join(', ')}, got "${options.weights}"`);
  const bm25 = (options.bm25 ?? 'words') as Bm25Analyzer;
  if (bm25 !== 'words' && bm25 !== 'tokens') throw new UsageError(`--bm25 must be "words" or "tokens", got "${options.bm25}"`);
  return { k, m, scheme, bm25 };
}

const asUsage = <T>(run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (error instanceof CollectionError) throw new UsageError(error.message);
    throw error;
  }
};

/**
 * Corpus (and queries/qrels where needed) from TSV files or the bundled MS MARCO
 * sample. --limit keeps the first N queries (with the sample, also their N
 * passages); judgements of queries cut by the limit are dropped, not errors.
 */
async function readCollection(options: Options, need: { queries: boolean; qrels: boolean }): Promise<Partial<TestCollection> & { corpus: Entry[] }> {
  const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : parseCount(options.limit as string, 'limit', 0);
  if (options['msmarco-sample']) {
    if (options.corpus || options.queries || options.qrels)
      throw new UsageError('--msmarco-sample replaces --corpus, --queries and --qrels: give one or the other');
    const content = await readInput(MSMARCO_SAMPLE);
    return asUsage(() => msmarcoSample(content, limit));
  }
  if (typeof options.corpus !== 'string') throw new UsageError('--corpus <file> (id<TAB>text) or --msmarco-sample is required');
  const corpusText = await readInput(options.corpus);
  const corpus = asUsage(() => parseEntries(corpusText, 'corpus'));
  if (!need.queries && options.queries === undefined) return { corpus };
  if (typeof options.queries !== 'string') throw new UsageError('--queries <file> (id<TAB>text) is required');
  const queriesText = await readInput(options.queries);
  const allQueries = asUsage(() => parseEntries(queriesText, 'queries'));
  const queries = allQueries.slice(0, limit);
  if (!need.qrels) return { corpus, queries };
  if (typeof options.qrels !== 'string') throw new UsageError('--qrels <file> (query_id<TAB>doc_id<TAB>relevance) is required');
  const qrelsText = await readInput(options.qrels);
  const all = asUsage(() =>
    parseQrels(
      qrelsText,
      allQueries.map((q) => q.id),
      corpus.map((d) => d.id),
    ),
  );
  const kept = new Set(queries.map((q) => q.id));
  return { corpus, queries, qrels: new Map([...all].filter(([q]) => kept.has(q))) };
}

/** Which build of the pair ran: a hash of its LM head and its files' dates (the demo pair gets retrained in place). */
async function pairVersion({ id, manifest, modelsDir }: ResolvedPair) {
  if (isHubHead(manifest.lmHead)) throw new UsageError(`pair ${id} reads its LM head from the Hub; retrieval runs on pairs under models/`);
  const head = await readFile(join(modelsDir, manifest.lmHead.file));
  const modified = (await stat(join(modelsDir, manifest.lmHead.file))).mtime.toISOString();
  // The build: W and the embedder's weights (a saved index only fits the build that embedded it).
  const build = createHash('sha256').update(head);
  const onnxDir = join(modelsDir, manifest.embed.model, 'onnx');
  for (const name of (await readdir(onnxDir).catch(() => [] as string[])).sort()) build.update(await readFile(join(onnxDir, name)));
  return { name: manifest.name, lmHeadSha256: createHash('sha256').update(head).digest('hex').slice(0, 16), build: build.digest('hex').slice(0, 16), modified };
}

async function loadRuntime(options: Options) {
  const resolved = await resolvePair(options);
  const version = await pairVersion(resolved);
  progress(`loading ${resolved.id}…`);
  const pair = await loadPair(resolved.manifest, cpuLoadOptions(resolved));
  return { runtime: new RetrievalRuntime(pair), version, id: resolved.id, pair };
}

const started = () => {
  const t = performance.now();
  return (done: number, total: number, what: string, truncated = 0) => {
    const rate = done / ((performance.now() - t) / 1000);
    progress(`${what} ${done}/${total} (${rate.toFixed(0)}/s)${truncated ? `, ${truncated} truncated to the context` : ''}`);
  };
};

async function buildIndex(runtime: RetrievalRuntime, corpus: Entry[], opts: ReturnType<typeof sparseOptions>) {
  const report = started();
  const summary = await runtime.build(corpus, { k: opts.k, scheme: opts.scheme, bm25: opts.bm25, batchSize: 64 }, (p) =>
    report(p.done, p.total, 'embedded', p.truncated),
  );
  progressDone();
  if (summary.truncated > 0)
    progress(`${summary.truncated} of ${summary.documents} documents were longer than the ${summary.maxLength}-token context and were truncated`);
  if (!summary.bm25Available) progress(`BM25 skipped: it needs at least ${BM25_MIN_DOCS} documents`);
  return summary;
}

const round = (x: number, digits = 4) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

/** lens evaluate: nDCG@10, MRR@10, Recall@100 of sparse, dense and BM25 over judged queries. */
export async function evaluate(options: Options): Promise<void> {
  const opts = sparseOptions(options);
  const collection = await readCollection(options, { queries: true, qrels: true });
  const queries = collection.queries!;
  const qrels = collection.qrels!;
  if (qrels.size === 0) throw new UsageError('no judged query is left to evaluate (check --limit and the qrels)');
  const { runtime, version, id } = await loadRuntime(options);
  const summary = await buildIndex(runtime, collection.corpus, opts);
  const report = started();
  const result = await runtime.evaluate(queries, qrels, opts.m, (p) => report(p.done, p.total, 'embedded queries'));
  progressDone();
  const method = (r: typeof result.sparse) => ({
    ndcg10: round(r.ndcg10),
    mrr10: round(r.mrr10),
    recall100: round(r.recall100),
    queryMs: round(r.queryMs, 3),
    queryWork: round(r.queryWork, 1),
    needsEncoder: r.needsEncoder,
    indexBytes: r.indexBytes,
    nonZerosPerDoc: round(r.nonZerosPerDoc, 1),
  });
  const out = {
    pair: id,
    pairVersion: version,
    documents: summary.documents,
    queries: result.queries,
    evaluatedQueries: result.sparse.queries,
    truncatedDocuments: summary.truncated,
    options: result.options,
    sparse: method(result.sparse),
    dense: method(result.dense),
    bm25: summary.bm25Available ? method(result.bm25) : null,
    sparseOfDense: round(result.sparseOfDense),
    queryEncodeMs: round(result.queryEncodeMs, 2),
  };
  if (options.json) writeJson(out, Boolean(options.pretty));
  else {
    const pct = (x: number | null) => (x === null ? '  n/a ' : x.toFixed(4));
    process.stdout.write(`${id}: ${out.documents} documents, ${out.evaluatedQueries} judged queries, K=${opts.k} (${opts.scheme}), M=${opts.m}\n`);
    process.stdout.write('method   nDCG@10  MRR@10   R@100   ms/query  nnz/doc  index bytes\n');
    for (const name of ['sparse', 'dense', 'bm25'] as const) {
      const r = out[name];
      if (!r) continue;
      process.stdout.write(
        `${name.padEnd(8)} ${pct(r.ndcg10)}   ${pct(r.mrr10)}   ${pct(r.recall100)}  ${String(r.queryMs).padStart(8)}  ${String(r.nonZerosPerDoc).padStart(7)}  ${r.indexBytes}\n`,
      );
    }
    process.stdout.write(`sparse nDCG@10 = ${((out.sparseOfDense ?? 0) * 100).toFixed(1)}% of dense\n`);
  }
}

/** lens search: the three rankings for one query, with the tokens each result matched. */
export async function search(options: Options): Promise<void> {
  const opts = sparseOptions(options);
  if (typeof options.query !== 'string' || !options.query.trim()) throw new UsageError('--query "<text>" is required and must not be empty');
  const top = parseCount(options.top as string | undefined, 'top', 10);
  const saved = typeof options.index === 'string' ? await readInput(join(options.index, 'lens', 'index.json')) : undefined;
  const corpus = saved ? [] : (await readCollection(options, { queries: false, qrels: false })).corpus;
  const { runtime, id, version, pair } = await loadRuntime(options);
  if (saved) {
    // A saved index: only the query is embedded.
    let docs: ReturnType<typeof loadIndex>;
    try {
      docs = loadIndex(JSON.parse(saved), id, version.build);
    } catch (error) {
      throw new UsageError(`${options.index}: ${(error as Error).message}`);
    }
    runtime.index(docs, { k: opts.k, scheme: opts.scheme, bm25: opts.bm25 });
  } else await buildIndex(runtime, corpus, opts);
  const view = await runtime.search(options.query, opts.m, top);
  if (options.json) writeJson({ pair: id, ...decodedTokens(view, (tokenId) => pair.tokens.decoded(tokenId)) }, Boolean(options.pretty));
  else {
    process.stdout.write(`query tokens: ${view.queryTokens.map((t) => `${JSON.stringify(t.text)}${t.source === 'expansion' ? '+' : ''}`).join(' ')}\n`);
    for (const name of ['sparse', 'dense', 'bm25'] as const) {
      process.stdout.write(`\n${name}:\n`);
      for (const r of view[name]) {
        const why = r.matches.map((m) => `${JSON.stringify(m.token)}:${m.weight.toFixed(2)}`).join(' ');
        process.stdout.write(`  ${String(r.rank).padStart(2)}. ${r.id} ${r.score.toFixed(3)}  ${r.text.slice(0, 80)}${why ? `\n      matched ${why}` : ''}\n`);
      }
    }
  }
}

/** lens index: builds the sparse index and writes it for Anserini/Pyserini and Elasticsearch/OpenSearch. */
export async function index(options: Options): Promise<void> {
  const opts = sparseOptions(options);
  if (typeof options.out !== 'string') throw new UsageError('--out <dir> is required: the export files are written there');
  const collection = await readCollection(options, { queries: false, qrels: false });
  const { runtime, id, version } = await loadRuntime(options);
  const summary = await buildIndex(runtime, collection.corpus, opts);
  const engine = runtime.engineBuilt;
  let quantized: ReturnType<typeof quantize>;
  try {
    quantized = quantize(engine.docs.map((_, i) => engine.sparseIndex.vector(i)));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const name = (options['index-name'] as string | undefined) ?? 'lens';
  const dir = resolve(options.out);
  await mkdir(join(dir, 'anserini'), { recursive: true });
  await mkdir(join(dir, 'elasticsearch'), { recursive: true });
  const files: string[] = [];
  const put = async (path: string, content: string) => {
    await writeFile(join(dir, path), content);
    files.push(path);
  };
  await mkdir(join(dir, 'lens'), { recursive: true });
  await put('lens/index.json', JSON.stringify(saveIndex(id, version.build, engine.docs)));
  await put('anserini/collection.jsonl', anseriniCollection(collection.corpus, quantized));
  await put('elasticsearch/mapping.json', `${JSON.stringify(elasticMapping(), null, 2)}\n`);
  await put('elasticsearch/bulk.ndjson', elasticBulk(name, collection.corpus, quantized));
  if (collection.queries) {
    const report = started();
    const embedded = await runtime.encode(collection.queries, { onProgress: (p) => report(p.done, p.total, 'embedded queries') });
    progressDone();
    const topics = embedded.map((q) => ({ id: q.id, terms: engine.queryTerms(q, opts.m).ids }));
    await put('anserini/topics.jsonl', anseriniTopics(topics));
    await put('elasticsearch/msearch.ndjson', elasticMsearch(name, topics, 100));
    // The app's ranking of the exported index, to compare an engine's run with.
    await put(
      'run.trec',
      trecRun(
        topics,
        collection.corpus.map((d) => d.id),
        quantized,
      ),
    );
  }
  writeJson(
    {
      pair: id,
      pairVersion: version,
      out: dir,
      files,
      documents: summary.documents,
      truncatedDocuments: summary.truncated,
      options: { ...summary.options, m: opts.m },
      nonZerosPerDoc: summary.sparseNonZerosPerDoc,
      quantization: { scale: quantized.scale, max: 255, dropped: quantized.dropped },
    },
    Boolean(options.pretty),
  );
}

/** The search view with each model token as the tokenizer decodes it (JSON keeps the raw token; the text output shows it readable). */
function decodedTokens(view: SearchView, decoded: (id: number) => string): SearchView {
  const results = (rows: SearchView['sparse']) =>
    rows.map((r) => ({ ...r, matches: r.matches.map((m) => (m.id === undefined ? m : { ...m, token: decoded(m.id) })) }));
  return { ...view, queryTokens: view.queryTokens.map((t) => ({ ...t, text: decoded(t.id) })), sparse: results(view.sparse), dense: results(view.dense) };
}
