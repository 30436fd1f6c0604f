import { batchesOf } from '../core/batches';
import type { Bm25Analyzer } from '../core/retrieval/bm25';
import type { Entry } from '../core/retrieval/collection';
import { alignTop, type Evaluation, RetrievalEngine, type RetrievalText } from '../core/retrieval/engine';
import type { Qrels } from '../core/retrieval/evaluation';
import { K_MAX, type QueryTokenSource, type SparseOptions } from '../core/retrieval/representation';
import { type Outcome, outcomeOf } from '../shared/outcome';
import type { LensPair } from './pair';

/**
 * Sparse retrieval on a loaded pair, shared by the worker (UI) and the CLI:
 * embeds the corpus in batches (cancellable), hands the embeddings to the
 * pure engine in core/retrieval, and turns token ids into text for display.
 */
export interface BuildOptions extends SparseOptions {
  bm25: Bm25Analyzer;
  batchSize?: number;
}

export interface BuildProgress {
  done: number;
  total: number;
  truncated: number;
}

export interface IndexSummary {
  documents: number;
  /** Documents longer than the model's context: only their first maxLength tokens were embedded. */
  truncated: number;
  maxLength: number;
  options: SparseOptions & { bm25: Bm25Analyzer };
  sparseNonZerosPerDoc: number;
  bm25Available: boolean;
  ms: number;
}

export interface MatchView {
  /** A token's text (sparse, dense) or a BM25 term. */
  token: string;
  id?: number;
  weight: number;
}

export interface ResultView {
  rank: number;
  id: string;
  text: string;
  score: number;
  matches: MatchView[];
}

export interface SearchView {
  query: string;
  queryTokens: { id: number; text: string; source: QueryTokenSource }[];
  bm25Terms: string[];
  truncated: boolean;
  sparse: ResultView[];
  dense: ResultView[];
  bm25: ResultView[];
  ms: number;
}

export class RetrievalCancelled extends Error {
  constructor() {
    super('Indexing was cancelled; no index was built.');
  }
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class RetrievalRuntime {
  private engine?: RetrievalEngine;
  private corpus: Entry[] = [];
  private summary?: IndexSummary;
  /** Embedded queries by id and text, so a new K or M re-scores without re-embedding. */
  private readonly queryCache = new Map<string, RetrievalText>();

  constructor(readonly pair: LensPair) {}

  /** Embeds texts and keeps the top K_MAX of each z = W h. */
  async encode(
    entries: readonly Entry[],
    options: { batchSize?: number; onProgress?: (p: BuildProgress) => void; isCancelled?: () => boolean } = {},
  ): Promise<RetrievalText[]> {
    const batchSize = options.batchSize ?? 32;
    const out: RetrievalText[] = [];
    let truncated = 0;
    for (const batch of batchesOf(entries, batchSize)) {
      if (options.isCancelled?.()) throw new RetrievalCancelled();
      const encoded = await this.pair.embedOnly(
        batch.map((e) => e.text),
        batchSize,
      );
      for (const [i, e] of encoded.entries()) {
        if (e.truncated) truncated++;
        out.push({
          id: batch[i].id,
          text: batch[i].text,
          tokens: e.ids,
          truncated: e.truncated,
          embedding: e.embed,
          top: alignTop(this.pair.head, e.embed, K_MAX),
        });
      }
      options.onProgress?.({ done: out.length, total: entries.length, truncated });
      // Let a cancel message reach the worker between batches.
      await yieldToEvents();
    }
    return out;
  }

  async build(corpus: readonly Entry[], options: BuildOptions, onProgress?: (p: BuildProgress) => void, isCancelled?: () => boolean): Promise<IndexSummary> {
    if (corpus.length === 0) throw new Error('The corpus is empty: add at least one document.');
    const started = performance.now();
    const docs = await this.encode(corpus, { batchSize: options.batchSize, onProgress, isCancelled });
    return this.index(docs, options, started);
  }

  /** Indexes documents embedded earlier (e.g. a saved index): no model call. */
  index(docs: readonly RetrievalText[], options: BuildOptions, started = performance.now()): IndexSummary {
    if (docs.length === 0) throw new Error('The corpus is empty: add at least one document.');
    // BM25 over tokens sees what the model sees: the text's (context-truncated) token ids.
    const engine = new RetrievalEngine(options.bm25, (text) => this.pair.tokenize(text).ids);
    for (const d of docs) engine.add(d);
    engine.finish({ k: options.k, scheme: options.scheme });
    this.engine = engine;
    this.corpus = docs.map((d) => ({ id: d.id, text: d.text }));
    this.queryCache.clear();
    this.summary = {
      documents: docs.length,
      truncated: docs.filter((d) => d.truncated).length,
      maxLength: this.pair.manifest.maxLength,
      options: { k: options.k, scheme: options.scheme, bm25: options.bm25 },
      sparseNonZerosPerDoc: engine.sparseIndex.postingCount / docs.length,
      bm25Available: engine.bm25Index !== undefined,
      ms: performance.now() - started,
    };
    return this.summary;
  }

  private get built(): RetrievalEngine {
    if (!this.engine) throw new Error('Build an index first.');
    return this.engine;
  }

  get engineBuilt(): RetrievalEngine {
    return this.built;
  }

  get documents(): readonly Entry[] {
    return this.corpus;
  }

  /** A new K or weighting: rebuilds the sparse postings from the kept logits (no model call). */
  configure(options: SparseOptions): IndexSummary {
    const engine = this.built;
    engine.configure(options);
    this.summary = {
      ...this.summary!,
      options: { ...this.summary!.options, ...options },
      sparseNonZerosPerDoc: engine.sparseIndex.postingCount / engine.docs.length,
    };
    return this.summary;
  }

  private async embedQueries(queries: readonly Entry[], onProgress?: (p: BuildProgress) => void): Promise<RetrievalText[]> {
    const key = (q: Entry) => `${q.id}\u0000${q.text}`;
    const missing = queries.filter((q) => !this.queryCache.has(key(q)));
    if (missing.length > 0) {
      const started = performance.now();
      for (const q of await this.encode(missing, { onProgress })) this.queryCache.set(key(q), q);
      // Amortized over batches of 32: a lone query costs more.
      this.encodeMsPerQuery = (performance.now() - started) / missing.length;
    }
    return queries.map((q) => this.queryCache.get(key(q))!);
  }

  async search(query: string, m: number, limit = 10): Promise<SearchView> {
    const started = performance.now();
    const engine = this.built;
    const text = query.trim();
    if (!text) throw new Error('The query is empty: type a few words to search for.');
    // Typed queries are not cached: only the evaluation's fixed query set is.
    const [encoded] = await this.encode([{ id: '', text }]);
    const results = engine.search(encoded, m, limit);
    const tokenText = (id: number) => this.pair.tokenText(id);
    const view = (hits: typeof results.sparse): ResultView[] =>
      hits.map((h, i) => ({
        rank: i + 1,
        id: h.id,
        text: this.corpus[h.doc].text,
        score: h.score,
        matches: h.matches.map((match) => ({ token: tokenText(match.id), id: match.id, weight: match.weight })),
      }));
    return {
      query: text,
      queryTokens: results.terms.ids.map((id, i) => ({ id, text: tokenText(id), source: results.terms.source[i] })),
      bm25Terms: results.bm25Terms,
      truncated: encoded.truncated,
      sparse: view(results.sparse),
      dense: view(results.dense),
      bm25: results.bm25.map((h, i) => ({
        rank: i + 1,
        id: h.id,
        text: this.corpus[h.doc].text,
        score: h.score,
        matches: h.matches.map((match) => ({ token: match.term, weight: match.count })),
      })),
      ms: performance.now() - started,
    };
  }

  /** nDCG@10, MRR@10, Recall@100 and costs; also the mean time to embed one query. */
  async evaluate(queries: readonly Entry[], qrels: Qrels, m: number, onProgress?: (p: BuildProgress) => void): Promise<Evaluation & { queryEncodeMs: number }> {
    const engine = this.built;
    if (queries.length === 0) throw new Error('There are no queries to evaluate.');
    const embedded = await this.embedQueries(queries, onProgress);
    return { ...engine.evaluate(embedded, qrels, m), queryEncodeMs: this.encodeMsPerQuery };
  }

  private encodeMsPerQuery = Number.NaN;
}

export type RetrievalEvaluation = Evaluation & { queryEncodeMs: number };

/** The Retrieval view's calls into the model worker (part of LensWorkerApi). */
export interface RetrievalWorkerApi {
  /** Embeds and indexes a corpus with progress; a `cancelled` outcome once retrievalCancel(runId) is called. */
  retrievalBuild(runId: number, corpus: Entry[], options: BuildOptions, onProgress: (p: BuildProgress) => void): Promise<Outcome<IndexSummary>>;
  retrievalCancel(runId: number): Promise<void>;
  /** A new K or weighting over the built index (no model call). */
  retrievalConfigure(options: SparseOptions): Promise<IndexSummary>;
  retrievalSearch(query: string, m: number, limit: number): Promise<SearchView>;
  retrievalEvaluate(queries: Entry[], qrels: Qrels, m: number, onProgress: (p: BuildProgress) => void): Promise<RetrievalEvaluation>;
}

/** The worker side: one runtime per loaded pair; a new pair drops the old index. */
export function retrievalWorkerApi(currentPair: () => LensPair): RetrievalWorkerApi {
  let runtime: RetrievalRuntime | undefined;
  const cancelled = new Set<number>();
  const current = () => {
    const pair = currentPair();
    if (runtime?.pair !== pair) runtime = new RetrievalRuntime(pair);
    return runtime;
  };
  return {
    async retrievalBuild(runId, corpus, options, onProgress) {
      try {
        return await outcomeOf(() => current().build(corpus, options, onProgress, () => cancelled.has(runId)), RetrievalCancelled);
      } finally {
        cancelled.delete(runId);
      }
    },
    async retrievalCancel(runId) {
      cancelled.add(runId);
    },
    retrievalConfigure: async (options) => current().configure(options),
    retrievalSearch: (query, m, limit) => current().search(query, m, limit),
    retrievalEvaluate: (queries, qrels, m, onProgress) => current().evaluate(queries, qrels, m, onProgress),
  };
}
