/**
 * The PC1 slider's tick at V = 151,936: z = z0 + λ zu, then the aligned view
 * (top-k over the real vocabulary, Hit@k / LAR against the text's tokens),
 * exactly what LensSession.shift runs per input event. Baselines in the same
 * run: the heap top-k this replaced, and the bare O(V) update alone.
 */
import { alignedView } from '../src/core/align';
import { shiftScores } from '../src/core/topk';
import { contract, header, ms, quantile, ratio, round, seeded, table, V } from './common';

/** The heap top-k the threshold selection replaced (from the first commit), kept as the baseline. */
function heapTopK(scores: ArrayLike<number>, k: number, limit = scores.length): Int32Array {
  const n = Math.min(limit, scores.length);
  const size = Math.max(0, Math.min(k, n));
  const heapIds = new Int32Array(size);
  const heapScores = new Float64Array(size);
  let count = 0;
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  const swap = (a: number, b: number) => {
    const s = heapScores[a];
    heapScores[a] = heapScores[b];
    heapScores[b] = s;
    const t = heapIds[a];
    heapIds[a] = heapIds[b];
    heapIds[b] = t;
  };
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
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => heapScores[b] - heapScores[a] || heapIds[a] - heapIds[b]);
  return Int32Array.from(order, (i) => heapIds[i]);
}

export async function run(args: string[]): Promise<void> {
  const ticks = Number(args.find((a) => a.startsWith('--ticks='))?.slice(8) ?? 600);
  const k = 10;
  const validRows = 151_669; // Qwen3: rows past the tokenizer's vocabulary are padding
  header('slider', `z0 + λ zu and the aligned view (top-${k} of ${validRows} real rows), V = ${V}, ${ticks} ticks`);
  // Logit-like vectors: Gaussian with a heavy upper tail, as W h gives.
  const rand = seeded(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const z0 = Float32Array.from({ length: V }, () => 2 * gauss() + (rand() < 0.001 ? 8 * rand() : 0));
  const zu = Float32Array.from({ length: V }, () => 1.5 * gauss());
  const textIds = Array.from({ length: 24 }, () => Math.floor(rand() * validRows));
  const scratch = new Float32Array(V);

  const ours: number[] = [];
  const heap: number[] = [];
  const bare: number[] = [];
  // A drag: λ sweeps back and forth over ±3 (v_1 is ~1–3 on real pairs).
  const lambdaAt = (i: number) => 3 * Math.sin(i / 15);
  for (let i = 0; i < 50; i++) alignedView(shiftScores(z0, zu, lambdaAt(i), scratch), validRows, textIds, k);
  for (let i = 0; i < 50; i++) heapTopK(shiftScores(z0, zu, lambdaAt(i), scratch), Math.max(k, textIds.length), validRows);
  let mismatches = 0;
  for (let i = 0; i < ticks; i++) {
    const lambda = lambdaAt(i);
    let t = performance.now();
    const view = alignedView(shiftScores(z0, zu, lambda, scratch), validRows, textIds, k);
    ours.push(performance.now() - t);
    t = performance.now();
    const ids = heapTopK(shiftScores(z0, zu, lambda, scratch), Math.max(k, textIds.length), validRows);
    heap.push(performance.now() - t);
    if (ids.slice(0, k).join() !== view.ids.join()) mismatches++;
    t = performance.now();
    shiftScores(z0, zu, lambda, scratch);
    bare.push(performance.now() - t);
  }
  if (mismatches) throw new Error(`threshold top-k disagreed with the heap on ${mismatches} ticks`);
  const p = (xs: number[], q: number) => quantile(xs, q);
  table([
    {
      what: 'tick p50: z0 + λ zu + aligned view',
      value: ms(p(ours, 0.5)),
      baseline: `heap top-k tick ${ms(p(heap, 0.5))}`,
      ratio: ratio(p(ours, 0.5), p(heap, 0.5)),
    },
    {
      what: 'tick p95',
      value: ms(p(ours, 0.95)),
      baseline: `heap top-k tick ${ms(p(heap, 0.95))}`,
      ratio: ratio(p(ours, 0.95), p(heap, 0.95)),
      note: 'target < 4 ms',
    },
    {
      what: 'tick p50 vs the bare update',
      value: ms(p(ours, 0.5)),
      baseline: `z0 + λ zu alone ${ms(p(bare, 0.5))}`,
      ratio: ratio(p(ours, 0.5), p(bare, 0.5)),
      note: 'O(V) floor',
    },
    {
      what: 'tick p95 vs the bare update',
      value: ms(p(ours, 0.95)),
      baseline: `z0 + λ zu alone ${ms(p(bare, 0.95))}`,
      ratio: ratio(p(ours, 0.95), p(bare, 0.95)),
    },
    { what: 'tick max', value: ms(p(ours, 1)), baseline: `heap top-k tick ${ms(p(heap, 1))}`, ratio: ratio(p(ours, 1), p(heap, 1)) },
  ]);
  process.stdout.write(`# same top-${k} as the heap on all ${ticks} ticks\n\n`);
  contract({ v: V, p50_ms: round(p(ours, 0.5), 3), p95_ms: round(p(ours, 0.95), 3) });
}
