/**
 * The real-size pair's recipe at a small size of the same family (Qwen3 graph, real vocabulary, q8 as
 * onnxruntime's quantize_dynamic writes it): the app's logits-only patch finds h behind the integer LM head,
 * and W (the bf16 safetensors) times that h gives the export's own logits.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmHeadFromBytes, project } from '../../src/core/lmHead';
import { readGraph } from '../../src/core/onnx/graph';
import { HIDDEN_STATE_OUTPUT, hiddenStatePatch } from '../../src/core/onnx/patch';
import { headerLength, parseHeader, tensorRange } from '../../src/core/safetensors';
import { topK } from '../../src/core/topk';

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, 'make_realsize_pair.py');
const SMALL = { layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128 };
let root = '';

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: this test builds a small pair with numpy + onnx (apt install python3-numpy python3-onnx)`);
  root = mkdtempSync(join(tmpdir(), 'lens-realsize-'));
  const s = SMALL;
  execFileSync(
    PYTHON,
    [
      SCRIPT,
      '--out',
      root,
      '--dtypes',
      'q8',
      '--layers',
      `${s.layers}`,
      '--hidden',
      `${s.hidden}`,
      '--heads',
      `${s.heads}`,
      '--kv-heads',
      `${s.kvHeads}`,
      '--head-dim',
      `${s.headDim}`,
      '--intermediate',
      `${s.intermediate}`,
    ],
    { stdio: 'ignore' },
  );
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the real-size recipe, small', () => {
  it('a q8 logits-only base: the patch reads h behind DynamicQuantizeLinear → MatMulInteger, and W·h ≈ its logits', async () => {
    const model = readFileSync(join(root, 'onnx-community/Qwen3-0.6B-ONNX/onnx/model_quantized.onnx'));
    const ops = new Set(readGraph(model).nodes.map((n) => n.opType));
    expect([...ops]).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear']));
    expect(ops.has('MatMul')).toBe(true); // attention's own products stay float, as quantize_dynamic leaves them
    const patch = hiddenStatePatch(model);
    expect(patch).toBeDefined();
    const session = await ort.InferenceSession.create(Buffer.concat([model, patch!]));
    expect(session.outputNames).toContain(HIDDEN_STATE_OUTPUT);
    const ids = [9707, 11, 1879, 0, 151643];
    const long = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, ids.length]);
    const feeds: Record<string, ort.Tensor> = { input_ids: long(ids), attention_mask: long(ids.map(() => 1)), position_ids: long(ids.map((_, i) => i)) };
    for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values'))) {
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, SMALL.kvHeads, 0, SMALL.headDim]);
    }
    const out = await session.run(feeds);
    const file = readFileSync(join(root, 'Qwen/Qwen3-0.6B/model.safetensors'));
    const header = parseHeader(file.subarray(8, 8 + headerLength(file)));
    const [start, end] = tensorRange(header, 'model.embed_tokens.weight');
    const [rows, cols] = header.tensors['model.embed_tokens.weight'].shape;
    expect([rows, cols]).toEqual([151_936, SMALL.hidden]);
    const W = lmHeadFromBytes(file.slice(start, end), rows, cols, 'bfloat16');
    const h = out[HIDDEN_STATE_OUTPUT].data as Float32Array;
    const logits = out.logits.data as Float32Array;
    for (let t = 0; t < ids.length; t++) {
      const z = project(W, h.subarray(t * cols, (t + 1) * cols));
      const theirs = logits.subarray(t * rows, (t + 1) * rows);
      // The head's int8 weights and h's run-time uint8 quantization against bf16 W and float h: the same ranking at the top.
      const ours = new Set(topK(z, 10, rows).ids);
      const overlap = Array.from(topK(theirs, 10, rows).ids).filter((id) => ours.has(id)).length;
      expect(overlap).toBeGreaterThanOrEqual(8);
      let dot = 0;
      let zz = 0;
      let tt = 0;
      for (let v = 0; v < rows; v++) {
        dot += z[v] * theirs[v];
        zz += z[v] * z[v];
        tt += theirs[v] * theirs[v];
      }
      expect(dot / Math.sqrt(zz * tt)).toBeGreaterThan(0.99);
    }
  });
});
