import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';
import type { Hit } from './ranking';

/**
 * The BM25 baseline, on wink-bm25-text-search (an in-memory inverted index with
 * Okapi BM25 and pluggable tokenization). Two analyzers: English words
 * (lower-cased, stop words removed, Porter2-stemmed, close to the Lucene
 * analyzer BEIR's BM25 runs use) or the pair's own tokenizer's token ids.
 */
export type Bm25Analyzer = 'words' | 'tokens';

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Lucene's and Elasticsearch's defaults, which BEIR's BM25 baseline runs with. */
export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

/** wink refuses to consolidate fewer documents than this. */
export const BM25_MIN_DOCS = 3;

/** Lower-cased Unicode letter/digit runs, minus stop words, Porter2-stemmed. */
export function englishWords(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return nlp.tokens.stem(nlp.tokens.removeWords(words));
}

export class Bm25Index {
  private readonly engine = bm25();
  private readonly terms: string[][] = [];
  private readonly documentFrequency = new Map<string, number>();
  private consolidated = false;

  /** `tokenize` turns a text into terms (words, or token ids as strings). */
  constructor(
    private readonly tokenize: (text: string) => string[],
    params: Bm25Params = DEFAULT_BM25,
  ) {
    this.engine.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: params.k1, b: params.b } });
    // Documents arrive already tokenized (we count their terms); queries arrive as text.
    this.engine.definePrepTasks([(input: string | string[]) => (Array.isArray(input) ? input : this.tokenize(input))]);
  }

  add(text: string): number {
    if (this.consolidated) throw new Error('BM25: the index is already finished');
    const terms = this.tokenize(text);
    this.engine.addDoc({ body: terms }, this.terms.length);
    this.terms.push(terms);
    for (const term of new Set(terms)) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    return this.terms.length - 1;
  }

  /** Computes idf and the saturated term weights; call once after the last add. */
  finish(): void {
    if (this.terms.length < BM25_MIN_DOCS) throw new Error(`BM25 needs at least ${BM25_MIN_DOCS} documents, this corpus has ${this.terms.length}`);
    this.engine.consolidate(6);
    this.consolidated = true;
  }

  get size(): number {
    return this.terms.length;
  }

  /** Postings: distinct terms per document, summed. */
  get postingCount(): number {
    let n = 0;
    for (const df of this.documentFrequency.values()) n += df;
    return n;
  }

  get bytes(): number {
    return this.postingCount * 8;
  }

  /** Postings a query walks: the document frequency of each distinct query term. */
  postingsVisited(query: string): number {
    let n = 0;
    for (const term of new Set(this.tokenize(query))) n += this.documentFrequency.get(term) ?? 0;
    return n;
  }

  /** The query's terms as this analyzer sees them (shown as "why it matched"). */
  queryTerms(query: string): string[] {
    return [...new Set(this.tokenize(query))];
  }

  /** Which query terms a document contains, with their counts in it. */
  explain(doc: number, query: string): { term: string; count: number }[] {
    const wanted = new Set(this.tokenize(query));
    const counts = new Map<string, number>();
    for (const term of this.terms[doc]) if (wanted.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return [...counts].map(([term, count]) => ({ term, count }));
  }

  /** The `limit` best documents (only those sharing a term with the query), ties to the lower index. */
  search(query: string, limit: number): Hit[] {
    if (!this.consolidated) throw new Error('BM25: finish() the index before searching');
    // Ask wink for every match and cut here, so ties at the cut-off break the same way each run.
    return this.engine
      .search(query, this.terms.length)
      .map(([id, score]) => ({ doc: Number(id), score }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc)
      .slice(0, limit);
  }
}
