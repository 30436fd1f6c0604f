/**
 * Partial top-k over a score vector. One pass compares each score with a
 * running threshold (the k-th best seen so far) and keeps the few that beat it
 * in a small buffer, re-selected when the buffer fills: O(V) compares plus
 * O(k log k) work per refill, a few refills on typical logits. This is the
 * slider tick's hot path at V = 151,936 (see bench/).
 */
export interface Ranked {
  ids: Int32Array;
  scores: Float32Array;
}

let bufferScores = new Float64Array(0);
let bufferIds = new Int32Array(0);
let sortScratch = new Float64Array(0);

/**
 * The k best ids of `scores[0..limit)`, best first. Ties break toward the lower
 * id so rankings are deterministic. NaN scores are never ranked.
 */
export function topK(scores: ArrayLike<number>, k: number, limit = scores.length): Ranked {
  const n = Math.min(limit, scores.length);
  const size = Math.max(0, Math.min(k, n));
  if (size === 0) return { ids: new Int32Array(0), scores: new Float32Array(0) };
  const capacity = Math.max(4 * size, 1024);
  if (bufferScores.length < capacity) {
    bufferScores = new Float64Array(capacity);
    bufferIds = new Int32Array(capacity);
    sortScratch = new Float64Array(capacity);
  }
  const bs = bufferScores;
  const bi = bufferIds;
  let count = 0;
  let id = 0;
  // Until the buffer first fills, every non-NaN score is kept (so -Infinity can rank too).
  for (; id < n && count < capacity; id++) {
    const s = scores[id];
    if (!Number.isNaN(s)) {
      bs[count] = s;
      bi[count++] = id;
    }
  }
  // Then only scores above the k-th best so far. A later id with a score equal
  // to that threshold loses the tie, so `>` is exact.
  let threshold = Number.NEGATIVE_INFINITY;
  if (count === capacity) {
    count = keepBest(bs, bi, count, size);
    threshold = leastOf(bs, count);
  }
  for (; id < n; id++) {
    const s = scores[id];
    if (s > threshold) {
      bs[count] = s;
      bi[count++] = id;
      if (count === capacity) {
        count = keepBest(bs, bi, count, size);
        threshold = leastOf(bs, count);
      }
    }
  }
  count = keepBest(bs, bi, count, size);
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => bs[b] - bs[a] || bi[a] - bi[b]);
  return {
    ids: Int32Array.from(order, (i) => bi[i]),
    scores: Float32Array.from(order, (i) => bs[i]),
  };
}

function leastOf(bs: Float64Array, count: number): number {
  let least = bs[0];
  for (let i = 1; i < count; i++) if (bs[i] < least) least = bs[i];
  return least;
}

/**
 * Keeps the `k` best buffer entries (score desc, id asc), in id order, and
 * returns how many remain. Buffer ids ascend, so among entries tied with the
 * k-th best score the first ones win. A native numeric sort finds that score.
 */
function keepBest(bs: Float64Array, bi: Int32Array, count: number, k: number): number {
  if (count <= k) return count;
  const sorted = sortScratch.subarray(0, count);
  sorted.set(bs.subarray(0, count));
  sorted.sort();
  const kth = sorted[count - k];
  let above = 0;
  for (let i = count - 1; i >= 0 && sorted[i] > kth; i--) above++;
  let ties = k - above;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const s = bs[i];
    if (s > kth || (s === kth && ties-- > 0)) {
      bs[kept] = s;
      bi[kept] = bi[i];
      kept++;
    }
  }
  return kept;
}

/** z0 + λ zu into `out`: the PC1 slider's O(V) update (W(h + λu) = Wh + λWu). */
export function shiftScores(z0: Float32Array, zu: Float32Array, lambda: number, out: Float32Array = new Float32Array(z0.length)): Float32Array {
  for (let i = 0; i < z0.length; i++) out[i] = z0[i] + lambda * zu[i];
  return out;
}
