import { topK } from './topk';

/**
 * Which tokens contrastive fine-tuning promoted or suppressed: the change of each
 * token's score from the base model to the embedding model, over the whole vocabulary.
 *
 * The two models' logits are not on one scale (their pooled states differ in norm,
 * and the base's moves along the λ path), so each z is standardised over the real
 * vocabulary first: s = (z − mean(z)) / sd(z). A delta of +2 means the token rose
 * by two standard deviations of its model's scores.
 */
export interface DiffRow {
  id: number;
  /** Standardised embedder score minus standardised base score. */
  delta: number;
  /** 1-based ranks over the real vocabulary (1 = top). */
  rankBase: number;
  rankEmbed: number;
}

export interface TokenDiff {
  /** Largest rises first. */
  risers: DiffRow[];
  /** Largest falls first (most negative delta first). */
  fallers: DiffRow[];
}

/** Mean and standard deviation of z[0..n) (population sd; 1 when z is constant, so s = 0). */
export function moments(z: ArrayLike<number>, n: number): { mean: number; sd: number } {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += z[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = z[i] - mean;
    sq += d * d;
  }
  const sd = Math.sqrt(sq / n);
  return { mean, sd: sd > 0 ? sd : 1 };
}

/** 1-based rank of `id` in z[0..n): 1 + the number of tokens that rank above it (higher score, or equal score and lower id). */
export function rankOf(z: ArrayLike<number>, n: number, id: number): number {
  const s = z[id];
  let above = 0;
  for (let i = 0; i < n; i++) if (z[i] > s || (z[i] === s && i < id)) above++;
  return above + 1;
}

/**
 * The k largest rises and falls of the standardised score from `zBase` to `zEmbed`
 * over rows [0, validRows). `scratch` (length ≥ validRows) avoids an allocation per slider tick.
 */
export function tokenDiff(zEmbed: Float32Array, zBase: Float32Array, validRows: number, k: number, scratch: Float32Array = new Float32Array(validRows)): TokenDiff {
  const n = Math.min(validRows, zEmbed.length, zBase.length);
  const e = moments(zEmbed, n);
  const b = moments(zBase, n);
  const delta = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) delta[i] = (zEmbed[i] - e.mean) / e.sd - (zBase[i] - b.mean) / b.sd;
  const row = (id: number, d: number): DiffRow => ({ id, delta: d, rankBase: rankOf(zBase, n, id), rankEmbed: rankOf(zEmbed, n, id) });
  const up = topK(delta, k, n);
  const risers = Array.from(up.ids, (id, j) => row(id, up.scores[j]));
  for (let i = 0; i < n; i++) delta[i] = -delta[i];
  const down = topK(delta, k, n);
  const fallers = Array.from(down.ids, (id, j) => row(id, -down.scores[j]));
  return { risers, fallers };
}
