/**
 * Mask-aware pooling of one sequence's hidden states into a text embedding
 * (docs/design.md §1.2; the paper's §3 uses the embedder's own pooling for both models).
 */
export type Pooling = 'last' | 'mean' | 'weighted-mean';

export const POOLINGS: readonly Pooling[] = ['last', 'mean', 'weighted-mean'];

/**
 * Pools `hidden`, the row-major [T × dim] states of one sequence, over the
 * positions where `mask` is 1. Padding never contributes, wherever it sits.
 *
 * - `last`: the last real token (PromptEOL, Qwen3-Embedding), not the last position.
 * - `mean`: the average over real tokens (LLM2Vec).
 * - `weighted-mean`: SGPT's position weighting, w_t = t / Σ t with t = 1..n counted
 *   over real tokens only, so later tokens (which have seen more context) weigh more.
 */
export function pool(hidden: ArrayLike<number>, mask: ArrayLike<number>, dim: number, method: Pooling): Float32Array {
  const length = mask.length;
  if (hidden.length !== length * dim) {
    throw new Error(`pool: hidden has ${hidden.length} values, expected ${length} × ${dim}`);
  }
  const out = new Float32Array(dim);
  const real: number[] = [];
  for (let t = 0; t < length; t++) if (mask[t]) real.push(t);
  if (real.length === 0) throw new Error('pool: the sequence has no real tokens');

  if (method === 'last') {
    const offset = real[real.length - 1] * dim;
    for (let j = 0; j < dim; j++) out[j] = hidden[offset + j];
    return out;
  }

  const n = real.length;
  const weightSum = method === 'mean' ? n : (n * (n + 1)) / 2;
  const acc = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    const weight = (method === 'mean' ? 1 : r + 1) / weightSum;
    const offset = real[r] * dim;
    for (let j = 0; j < dim; j++) acc[j] += weight * hidden[offset + j];
  }
  for (let j = 0; j < dim; j++) out[j] = acc[j];
  return out;
}

/**
 * Pools every row of a batch: `hidden` is [B × T × dim], `mask` is [B × T].
 * Works for left or right padding alike.
 */
export function poolBatch(hidden: Float32Array, mask: ArrayLike<number | bigint>, batch: number, dim: number, method: Pooling): Float32Array[] {
  const length = mask.length / batch;
  const rows: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const rowMask = new Uint8Array(length);
    for (let t = 0; t < length; t++) rowMask[t] = Number(mask[b * length + t]) ? 1 : 0;
    const start = b * length * dim;
    rows.push(pool(hidden.subarray(start, start + length * dim), rowMask, dim, method));
  }
  return rows;
}
