/**
 * The dense baseline: cosine similarity of the embedder's own embeddings, by
 * brute force over unit-normalized rows (what the paper compares against).
 */
export function normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

export class DenseIndex {
  private data: Float32Array;
  private count = 0;

  constructor(
    readonly dim: number,
    capacity = 64,
  ) {
    this.data = new Float32Array(dim * Math.max(1, capacity));
  }

  static build(vectors: readonly ArrayLike<number>[], dim: number): DenseIndex {
    const index = new DenseIndex(dim, vectors.length);
    for (const v of vectors) index.add(v);
    return index;
  }

  add(embedding: ArrayLike<number>): number {
    if (embedding.length !== this.dim) throw new Error(`dense index: expected ${this.dim} values, got ${embedding.length}`);
    if ((this.count + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(normalize(embedding), this.count * this.dim);
    return this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** 4-byte floats, N × d. */
  get bytes(): number {
    return this.count * this.dim * 4;
  }

  /** Multiply-adds ×2 for one query: 2·N·d. */
  get flopsPerQuery(): number {
    return 2 * this.count * this.dim;
  }

  row(doc: number): Float32Array {
    return this.data.subarray(doc * this.dim, (doc + 1) * this.dim);
  }

  /** cos(q, d) for every document. */
  score(query: ArrayLike<number>): Float64Array {
    const q = normalize(query);
    const d = this.dim;
    const scores = new Float64Array(this.count);
    for (let doc = 0; doc < this.count; doc++) {
      let s = 0;
      const base = doc * d;
      for (let j = 0; j < d; j++) s += this.data[base + j] * q[j];
      scores[doc] = s;
    }
    return scores;
  }
}
