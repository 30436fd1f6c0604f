import type { SparseVector } from './representation';

export interface TokenMatch {
  id: number;
  weight: number;
}

export interface SparseScores {
  scores: Float64Array;
  /** 1 for documents holding at least one query token: only these are retrieved. */
  matched: Uint8Array;
  /** Postings visited: the query's work, one add each. */
  postingsVisited: number;
}

/**
 * An inverted index over document vectors: token id → (doc, weight) postings.
 * Scoring a query walks only its tokens' postings (term-at-a-time), so the
 * cost grows with the postings touched, not with the corpus size times d.
 */
export class SparseIndex {
  private readonly postings = new Map<number, { docs: number[]; weights: number[] }>();
  private readonly vectors: SparseVector[] = [];
  private nonZeros = 0;

  static build(vectors: Iterable<SparseVector>): SparseIndex {
    const index = new SparseIndex();
    for (const v of vectors) index.add(v);
    return index;
  }

  /** Adds the next document; returns its index. */
  add(vector: SparseVector): number {
    const doc = this.vectors.length;
    this.vectors.push(vector);
    for (let i = 0; i < vector.ids.length; i++) {
      let list = this.postings.get(vector.ids[i]);
      if (!list) {
        list = { docs: [], weights: [] };
        this.postings.set(vector.ids[i], list);
      }
      list.docs.push(doc);
      list.weights.push(vector.weights[i]);
    }
    this.nonZeros += vector.ids.length;
    return doc;
  }

  get size(): number {
    return this.vectors.length;
  }

  /** Σ_docs |vector|: the index's postings. */
  get postingCount(): number {
    return this.nonZeros;
  }

  /** Distinct tokens with at least one posting. */
  get termCount(): number {
    return this.postings.size;
  }

  /** Bytes of a plain postings layout: a 4-byte doc id and a 4-byte float per posting. */
  get bytes(): number {
    return this.nonZeros * 8;
  }

  vector(doc: number): SparseVector {
    return this.vectors[doc];
  }

  /** score(d) = Σ_{t ∈ query} w_d(t); unique query ids are assumed (see queryTerms). */
  score(queryIds: readonly number[]): SparseScores {
    const scores = new Float64Array(this.vectors.length);
    const matched = new Uint8Array(this.vectors.length);
    let postingsVisited = 0;
    for (const id of queryIds) {
      const list = this.postings.get(id);
      if (!list) continue;
      for (let i = 0; i < list.docs.length; i++) {
        scores[list.docs[i]] += list.weights[i];
        matched[list.docs[i]] = 1;
      }
      postingsVisited += list.docs.length;
    }
    return { scores, matched, postingsVisited };
  }

  /** Which query tokens a document matched, with the document's weight on each (why it matched). */
  explain(doc: number, queryIds: readonly number[]): TokenMatch[] {
    const v = this.vectors[doc];
    const wanted = new Set(queryIds);
    const out: TokenMatch[] = [];
    for (let i = 0; i < v.ids.length; i++) if (wanted.has(v.ids[i])) out.push({ id: v.ids[i], weight: v.weights[i] });
    return out;
  }
}
