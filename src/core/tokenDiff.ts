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
  return ranksOf(z, n, [id])[0];
}

/**
 * The ranks of several ids in one pass over z (a slider tick ranks 2k tokens at
 * V = 151,936): each score is placed among the ids' scores by binary search, and
 * the counts above each are summed afterwards. Equal scores rank by lower id.
 */
export function ranksOf(z: ArrayLike<number>, n: number, ids: readonly number[]): number[] {
  const order = ids.map((_, j) => j).sort((a, b) => z[ids[a]] - z[ids[b]]);
  const thresholds = order.map((j) => z[ids[j]]); // ascending
  const m = thresholds.length;
  // below[p]: scores greater than exactly the p smallest thresholds.
  const below = new Int32Array(m + 1);
  const ties: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = z[i];
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (thresholds[mid] < s) lo = mid + 1;
      else hi = mid;
    }
    below[lo]++;
    if (lo < m && thresholds[lo] === s) ties.push(i);
  }
  const ranks = new Array<number>(ids.length);
  let greater = 0;
  for (let p = m; p >= 1; p--) {
    greater += below[p];
    // threshold p-1 (ascending) is exceeded by every score placed above it.
    const j = order[p - 1];
    let equalAbove = 0;
    for (const i of ties) if (z[i] === thresholds[p - 1] && i < ids[j]) equalAbove++;
    ranks[j] = greater + equalAbove + 1;
  }
  return ranks;
}

/**
 * The k largest rises and falls of the standardised score from `zBase` to `zEmbed`
 * over rows [0, validRows). `scratch` (length ≥ validRows) avoids an allocation per slider tick.
 * `exclude` (byte and special token ids, core/tokenFilter.ts) are left out of both lists, and counted in
 * `hidden` where they rose or fell further than the last token listed.
 */
export function tokenDiff(
  zEmbed: Float32Array,
  zBase: Float32Array,
  validRows: number,
  k: number,
  scratch: Float32Array = new Float32Array(validRows),
  exclude: readonly number[] = [],
): TokenDiff & { hidden: { risers: number; fallers: number } } {
  const n = Math.min(validRows, zEmbed.length, zBase.length);
  const e = moments(zEmbed, n);
  const b = moments(zBase, n);
  const delta = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) delta[i] = (zEmbed[i] - e.mean) / e.sd - (zBase[i] - b.mean) / b.sd;
  // NaN is never ranked (topk.ts): the excluded ids drop out, their deltas kept to count what was hidden.
  const excluded = exclude.filter((id) => id < n).map((id) => delta[id]);
  for (const id of exclude) if (id < n) delta[id] = Number.NaN;
  const up = topK(delta, k, n);
  const upIds = Array.from(up.ids);
  const upDeltas = Array.from(up.scores);
  for (let i = 0; i < n; i++) delta[i] = -delta[i];
  const down = topK(delta, k, n);
  const ids = [...upIds, ...down.ids];
  const rankBase = ranksOf(zBase, n, ids);
  const rankEmbed = ranksOf(zEmbed, n, ids);
  const row = (j: number, d: number): DiffRow => ({ id: ids[j], delta: d, rankBase: rankBase[j], rankEmbed: rankEmbed[j] });
  const risers = upDeltas.map((d, j) => row(j, d));
  const fallers = Array.from(down.scores, (d, j) => row(upIds.length + j, -d));
  const lastRise = risers.at(-1)?.delta ?? Number.NEGATIVE_INFINITY;
  const lastFall = fallers.at(-1)?.delta ?? Number.POSITIVE_INFINITY;
  return {
    risers,
    fallers,
    hidden: { risers: excluded.filter((d) => d > lastRise).length, fallers: excluded.filter((d) => d < lastFall).length },
  };
}
