/**
 * A λ change with the Layers view open, at Qwen3-0.6B's size (28 layers, d = 1024, V = 151,936, W in bf16):
 * what LensSession.layers runs once the text's layers are read, layerView.ts layerRowsAt, which re-ranks
 * projections made once (per layer one z₀ + λ_ℓ·W·u₁⁽ℓ⁾ and a top-k). Baseline in the same run: the same rows
 * with every projection through W made again at each λ (2 texts' layers and each layer's u₁: 84 projections),
 * as the view did before those projections were kept.
 */
import { alignedView } from '../src/core/align';
import { lmHeadFromBytes, project } from '../src/core/lmHead';
import { shiftScores } from '../src/core/topk';
import { layerRowsAt } from '../src/runtime/layerView';
import type { ColumnResult } from '../src/shared/wire';
import { contract, D, header, ms, quantile, ratio, round, seeded, table, V } from './common';

const LAYERS = 28;
const VALID_ROWS = 151_669;
const K = 10;

export async function run(args: string[]): Promise<void> {
  const changes = Number(args.find((a) => a.startsWith('--changes='))?.slice(10) ?? 40);
  const baselineChanges = Number(args.find((a) => a.startsWith('--baseline-changes='))?.slice(19) ?? 3);
  header('layers', `a λ change in the Layers view: ${LAYERS} layers, d = ${D}, V = ${V} (bf16 W), top-${K}; ${changes} changes (baseline ${baselineChanges})`);
  const rand = seeded(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  // bf16 words of N(0, 0.02²) weights: the upper half of each float32's bits.
  const words = new Uint16Array(V * D);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < words.length; i++) {
    f32[0] = 0.02 * gauss();
    words[i] = u32[0] >>> 16;
  }
  const head = lmHeadFromBytes(words, V, D, 'bfloat16', VALID_ROWS);
  const vector = () => Float32Array.from({ length: D }, gauss);
  const unit = () => {
    const u = Float64Array.from({ length: D }, gauss);
    const norm = Math.hypot(...u);
    return u.map((x) => x / norm);
  };
  const embedStates = Array.from({ length: LAYERS }, vector);
  const baseStates = Array.from({ length: LAYERS }, vector);
  const layerU = Array.from({ length: LAYERS }, unit);
  const v1 = Array.from({ length: LAYERS }, () => 1 + rand());
  const ids = Array.from({ length: 24 }, () => Math.floor(rand() * VALID_ROWS));
  const column = (z: Float32Array): ColumnResult => {
    const view = alignedView(z, VALID_ROWS, ids, K);
    const tokens = view.ids.map((id) => ({ id, text: String(id) }));
    return { ...view, content: null, tokens, filtered: { ids: view.ids, scores: view.scores, tokens, hidden: 0 } };
  };
  const contentHit = () => null;
  const scratch = new Float32Array(V);
  const lambdaAt = (i: number) => 3 * Math.sin((i + 1) / 7);

  // Kept once per text and per load (LensSession.layers, sampleLayerDirections).
  let t = performance.now();
  const text = { zBase: baseStates.map((h) => project(head, h)), embedColumns: embedStates.map((h) => column(project(head, h))) };
  const directions = { zu: layerU.slice(0, -1).map((u) => project(head, u)), v1: v1.slice(0, -1) };
  const slider = { zu: project(head, layerU[LAYERS - 1]), v1: v1[LAYERS - 1] };
  const once = performance.now() - t;

  const ours: number[] = [];
  for (let i = 0; i < 5; i++) layerRowsAt(text, lambdaAt(i), slider, directions, column, contentHit, scratch);
  for (let i = 0; i < changes; i++) {
    t = performance.now();
    layerRowsAt(text, lambdaAt(i), slider, directions, column, contentHit, scratch);
    ours.push(performance.now() - t);
  }
  const before: number[] = [];
  for (let i = 0; i < baselineChanges; i++) {
    const lambda = lambdaAt(i);
    t = performance.now();
    for (let l = 0; l < LAYERS; l++) {
      const lambdaL = l === LAYERS - 1 ? lambda : (lambda / slider.v1) * v1[l];
      column(shiftScores(project(head, baseStates[l]), project(head, layerU[l]), lambdaL));
      column(project(head, embedStates[l]));
    }
    before.push(performance.now() - t);
  }
  const p = (xs: number[], q: number) => quantile(xs, q);
  table([
    {
      what: 'λ change p50: 28 rows from kept projections',
      value: ms(p(ours, 0.5)),
      baseline: `every projection again ${ms(p(before, 0.5))}`,
      ratio: ratio(p(ours, 0.5), p(before, 0.5)),
    },
    {
      what: 'λ change p95',
      value: ms(p(ours, 0.95)),
      baseline: `every projection again ${ms(p(before, 1))} (max)`,
      ratio: ratio(p(ours, 0.95), p(before, 1)),
      note: 'target < 50 ms',
    },
    { what: 'kept once per text and load (85 projections)', value: ms(once), baseline: '-', ratio: '-' },
  ]);
  contract({
    layers: LAYERS,
    v: V,
    d: D,
    change_p50_ms: round(p(ours, 0.5), 2),
    change_p95_ms: round(p(ours, 0.95), 2),
    baseline_change_ms: round(p(before, 0.5), 1),
  });
}
