import { type LmHead, project } from '../lmHead';
import { BM25_MIN_DOCS, type Bm25Analyzer, Bm25Index, englishWords } from './bm25';
import { DenseIndex } from './dense';
import { evaluateRun, type Qrels, type RunMetrics } from './evaluation';
import { type Hit, rankDocs } from './ranking';
import { type AlignedTop, alignedTop, DEFAULT_SPARSE, documentVector, K_MAX, type QueryTerms, queryTerms, type SparseOptions } from './representation';
import { SparseIndex, type TokenMatch } from './sparseIndex';

/**
 * Sparse retrieval from aligned tokens, dense and BM25 side by side over one
 * corpus. Pure: the caller embeds texts (runtime/) and hands over the pooled
 * embedding h and the text's token ids; this module projects, indexes, scores.
 */

/** A text as the engine needs it: token ids, pooled embedding h, and the top of z = W h. */
export interface RetrievalText {
  id: string;
  text: string;
  /** The text's token ids (after truncation to the context). */
  tokens: number[];
  truncated: boolean;
  embedding: Float32Array;
  top: AlignedTop;
}

/** Projects an embedding through W and keeps its top `kMax` aligned tokens. */
export function alignTop(head: LmHead, embedding: Float32Array, kMax = K_MAX): AlignedTop {
  return alignedTop(project(head, embedding), head.validRows, kMax);
}

export type Method = 'sparse' | 'dense' | 'bm25';
export const METHODS: readonly Method[] = ['sparse', 'dense', 'bm25'];

export interface MethodCost {
  /** Mean scoring time per query, ms (query embedding not included). */
  queryMs: number;
  /** Mean work per query: postings added for sparse and BM25, 2·N·d flops for dense. */
  queryWork: number;
  /** Whether a query needs a forward pass of the embedder. */
  needsEncoder: boolean;
  indexBytes: number;
  /** Non-zeros per document: sparse weights, dense dimensions, distinct BM25 terms. */
  nonZerosPerDoc: number;
}

export interface Evaluation {
  sparse: RunMetrics & MethodCost;
  dense: RunMetrics & MethodCost;
  bm25: RunMetrics & MethodCost;
  /** sparse nDCG@10 as a share of dense nDCG@10 (the paper's ~80% on BEIR). */
  sparseOfDense: number;
  options: SparseOptions & { m: number; bm25: Bm25Analyzer };
  documents: number;
  queries: number;
}

export interface SearchHit extends Hit {
  id: string;
  /** Query tokens found among the document's aligned tokens, with the document's weights. */
  matches: TokenMatch[];
}

export interface Bm25Hit extends Hit {
  id: string;
  matches: { term: string; count: number }[];
}

export interface SearchResults {
  terms: QueryTerms;
  bm25Terms: string[];
  sparse: SearchHit[];
  dense: SearchHit[];
  bm25: Bm25Hit[];
}

export class RetrievalEngine {
  readonly docs: RetrievalText[] = [];
  private sparse?: SparseIndex;
  private dense?: DenseIndex;
  private bm25?: Bm25Index;
  private sparseOptions: SparseOptions = DEFAULT_SPARSE;

  /**
   * @param bm25Analyzer words, or the pair's tokens (then `tokenIds` gives a
   *   text's full token ids: BM25 is not limited by the model's context).
   */
  constructor(
    readonly bm25Analyzer: Bm25Analyzer = 'words',
    private readonly tokenIds?: (text: string) => number[],
  ) {
    if (bm25Analyzer === 'tokens' && !tokenIds) throw new Error('BM25 over tokens needs the tokenizer');
  }

  private bm25Tokenize = (text: string): string[] => (this.bm25Analyzer === 'words' ? englishWords(text) : this.tokenIds!(text).map(String));

  add(doc: RetrievalText): void {
    if (this.sparse) throw new Error('the index is already built');
    this.docs.push(doc);
  }

  /** Builds the three indexes over the added documents. */
  finish(options: SparseOptions = this.sparseOptions): void {
    if (this.docs.length === 0) throw new Error('the corpus is empty: nothing to index');
    const dim = this.docs[0].embedding.length;
    this.dense = DenseIndex.build(
      this.docs.map((d) => d.embedding),
      dim,
    );
    if (this.docs.length >= BM25_MIN_DOCS) {
      const bm25 = new Bm25Index(this.bm25Tokenize);
      for (const d of this.docs) bm25.add(d.text);
      bm25.finish();
      this.bm25 = bm25;
    }
    this.configure(options);
  }

  /** Rebuilds only the sparse index for a new K or weighting (the embeddings stay). */
  configure(options: SparseOptions): void {
    if (options.k > K_MAX) throw new Error(`K is at most ${K_MAX}`);
    this.sparseOptions = { ...options };
    this.sparse = SparseIndex.build(this.docs.map((d) => documentVector(d.top, options.k, options.scheme)));
  }

  get options(): SparseOptions {
    return this.sparseOptions;
  }

  get built(): boolean {
    return this.sparse !== undefined;
  }

  get sparseIndex(): SparseIndex {
    if (!this.sparse) throw new Error('the index is not built yet');
    return this.sparse;
  }

  /** Null when the corpus is too small for BM25 (fewer than 3 documents). */
  get bm25Index(): Bm25Index | undefined {
    return this.bm25;
  }

  queryTerms(query: RetrievalText, m: number): QueryTerms {
    return queryTerms(query.tokens, query.top.ids, m);
  }

  /** The three rankings for one query. */
  search(query: RetrievalText, m: number, limit = 10): SearchResults {
    const sparse = this.sparseIndex;
    const terms = this.queryTerms(query, m);
    const hit = (h: Hit): SearchHit => ({ ...h, id: this.docs[h.doc].id, matches: sparse.explain(h.doc, terms.ids) });
    return {
      terms,
      bm25Terms: this.bm25?.queryTerms(query.text) ?? [],
      sparse: this.rankSparse(terms.ids, limit).map(hit),
      dense: rankDocs(this.dense!.score(query.embedding), limit).map(hit),
      bm25: (this.bm25?.search(query.text, limit) ?? []).map((h) => ({
        ...h,
        id: this.docs[h.doc].id,
        matches: this.bm25!.explain(h.doc, query.text),
      })),
    };
  }

  private rankSparse(ids: readonly number[], limit: number): Hit[] {
    const { scores, matched } = this.sparseIndex.score(ids);
    return rankDocs(scores, limit, (doc) => matched[doc] === 1);
  }

  /** nDCG@10, MRR@10, Recall@100 and costs of the three methods over judged queries. */
  evaluate(queries: readonly RetrievalText[], qrels: Qrels, m: number): Evaluation {
    if (queries.length === 0) throw new Error('there are no queries to evaluate');
    const sparse = this.sparseIndex;
    const dense = this.dense!;
    const runs = { sparse: new Map<string, string[]>(), dense: new Map<string, string[]>(), bm25: new Map<string, string[]>() };
    const time = { sparse: 0, dense: 0, bm25: 0 };
    const work = { sparse: 0, bm25: 0 };
    const ids = (hits: Hit[]) => hits.map((h) => this.docs[h.doc].id);
    for (const q of queries) {
      let t = performance.now();
      const terms = this.queryTerms(q, m);
      const scored = sparse.score(terms.ids);
      runs.sparse.set(q.id, ids(rankDocs(scored.scores, 100, (doc) => scored.matched[doc] === 1)));
      work.sparse += scored.postingsVisited;
      time.sparse += performance.now() - t;

      t = performance.now();
      runs.dense.set(q.id, ids(rankDocs(dense.score(q.embedding), 100)));
      time.dense += performance.now() - t;

      if (this.bm25) {
        t = performance.now();
        runs.bm25.set(q.id, ids(this.bm25.search(q.text, 100)));
        time.bm25 += performance.now() - t;
        work.bm25 += this.bm25.postingsVisited(q.text);
      }
    }
    const n = queries.length;
    const docs = this.docs.length;
    const sparseMetrics = evaluateRun(runs.sparse, qrels);
    const denseMetrics = evaluateRun(runs.dense, qrels);
    return {
      sparse: {
        ...sparseMetrics,
        queryMs: time.sparse / n,
        queryWork: work.sparse / n,
        needsEncoder: m > 0,
        indexBytes: sparse.bytes,
        nonZerosPerDoc: sparse.postingCount / docs,
      },
      dense: {
        ...denseMetrics,
        queryMs: time.dense / n,
        queryWork: dense.flopsPerQuery,
        needsEncoder: true,
        indexBytes: dense.bytes,
        nonZerosPerDoc: dense.dim,
      },
      bm25: {
        ...evaluateRun(runs.bm25, qrels),
        queryMs: time.bm25 / n,
        queryWork: work.bm25 / n,
        needsEncoder: false,
        indexBytes: this.bm25?.bytes ?? 0,
        nonZerosPerDoc: this.bm25 ? this.bm25.postingCount / docs : 0,
      },
      sparseOfDense: denseMetrics.ndcg10 === 0 ? 0 : sparseMetrics.ndcg10 / denseMetrics.ndcg10,
      options: { ...this.sparseOptions, m, bm25: this.bm25Analyzer },
      documents: docs,
      queries: n,
    };
  }
}
