/**
 * The catalog's Qwen3 pair as the Hub really builds it (tools/fused: a GroupQueryAttention causal LM in the
 * model-builder style, a MultiHeadAttention embedder in the optimizer style, fused skip-norms whose final one keeps
 * no residual sum), served by the test Hub: the layer view taps every layer through the fused norms in every dtype
 * the real repos ship (fp32, fp16, q8 MatMulInteger, q4 and q4f16 MatMulNBits), and its deepest row is the explorer's column for both models — the base
 * read with its own tokenizer, never left-padded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub } from '../tools/hub/testRepos';
import { runLens } from '../tools/runCommand';

const root = buildTestHub();
let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ roots: [root] });
});
afterAll(() => hub.close());

const lens = (args: string[], input: string) => runLens(args, { input });
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
// Different lengths, so each batch is padded (the embedder's tokenizer pads on the left, the base on the right).
const TEXTS = 'A man is playing a guitar on the stage tonight.\nThe cat sleeps.\nStock markets fell sharply after the central bank raised interest rates.\n';

interface Top {
  id: number;
  score: number;
}

describe('qwen3-0.6b on the fused stand-ins: lens layers through fused skip-norms', () => {
  // Every dtype the real repos ship. Scores agree to rounding where the graph computes in float32; in fp16 and
  // q4f16 the graph normalises in float16 and the app in float32.
  for (const [dtype, digits] of [
    ['fp32', 3],
    ['fp16', 1],
    ['q8', 3],
    ['q4', 3],
    ['q4f16', 1],
  ] as const) {
    it(`${dtype}: every layer of both models, the deepest equal to lens align's columns`, async () => {
      const args = ['--pair', 'qwen3-0.6b', '--dtype', dtype, '--hub-url', hub.url, '--input', '-', '--k', '10', '--lambda', '0', '--json'];
      const layers = await lens(['layers', ...args], TEXTS);
      expect(layers.stderr).not.toMatch(/lens layers:/);
      expect(layers.code).toBe(0);
      const align = await lens(['align', ...args], TEXTS);
      expect(align.code).toBe(0);
      const rows = jsonLines(layers.stdout);
      const aligned = jsonLines(align.stdout);
      expect(rows).toHaveLength(3);
      for (const [i, row] of rows.entries()) {
        expect(row.layers.map((l: { layer: number }) => l.layer)).toEqual([1, 2, 3, 4]);
        const deepest = row.layers.at(-1);
        for (const model of ['embed', 'base'] as const) {
          const got: Top[] = deepest[model].top;
          const want: Top[] = aligned[i][model].top;
          // The same leading tokens; the scores of each agree (a near-tie may swap places lower down).
          expect(got.slice(0, 3).map((t) => t.id)).toEqual(want.slice(0, 3).map((t) => t.id));
          const wantScore = new Map(want.map((t) => [t.id, t.score]));
          for (const t of got) if (wantScore.has(t.id)) expect(t.score).toBeCloseTo(wantScore.get(t.id)!, digits);
        }
        // Each tap is its own layer, not the last one repeated (ids alone may agree: the stand-in's W repeats a
        // 512-row table, so a top-10 is one row's ten copies).
        for (const model of ['embed', 'base'] as const) expect(row.layers[0][model].top[0].score).not.toBeCloseTo(deepest[model].top[0].score, 2);
      }
    }, 300_000);
  }
});
