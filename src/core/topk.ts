/** Partial top-k over a score vector: O(V log k) with a size-k min-heap. */
export interface Ranked {
  ids: Int32Array;
  scores: Float32Array;
}

/**
 * The k best ids of `scores[0..limit)`, best first. Ties break toward the lower
 * id so rankings are deterministic. NaN scores are never ranked.
 */
export function topK(scores: ArrayLike<number>, k: number, limit = scores.length): Ranked {
  const n = Math.min(limit, scores.length);
  const size = Math.max(0, Math.min(k, n));
  const heapIds = new Int32Array(size);
  const heapScores = new Float64Array(size);
  let count = 0;

  // "a worse than b": lower score, or equal score and higher id.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);

  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < count && worse(heapScores[left], heapIds[left], heapScores[smallest], heapIds[smallest])) smallest = left;
      if (right < count && worse(heapScores[right], heapIds[right], heapScores[smallest], heapIds[smallest])) smallest = right;
      if (smallest === i) return;
      swap(i, smallest);
      i = smallest;
    }
  };
  const swap = (a: number, b: number) => {
    const s = heapScores[a];
    heapScores[a] = heapScores[b];
    heapScores[b] = s;
    const t = heapIds[a];
    heapIds[a] = heapIds[b];
    heapIds[b] = t;
  };

  if (size > 0) {
    for (let id = 0; id < n; id++) {
      const s = scores[id];
      if (Number.isNaN(s)) continue;
      if (count < size) {
        heapScores[count] = s;
        heapIds[count] = id;
        let i = count++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!worse(heapScores[i], heapIds[i], heapScores[parent], heapIds[parent])) break;
          swap(i, parent);
          i = parent;
        }
      } else if (worse(heapScores[0], heapIds[0], s, id)) {
        heapScores[0] = s;
        heapIds[0] = id;
        siftDown(0);
      }
    }
  }

  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
    heapScores[b] - heapScores[a] || heapIds[a] - heapIds[b],
  );
  return {
    ids: Int32Array.from(order, (i) => heapIds[i]),
    scores: Float32Array.from(order, (i) => heapScores[i]),
  };
}

/** z0 + λ zu into `out`: the PC1 slider's O(V) update (W(h + λu) = Wh + λWu). */
export function shiftScores(
  z0: Float32Array,
  zu: Float32Array,
  lambda: number,
  out: Float32Array = new Float32Array(z0.length),
): Float32Array {
  for (let i = 0; i < z0.length; i++) out[i] = z0[i] + lambda * zu[i];
  return out;
}
