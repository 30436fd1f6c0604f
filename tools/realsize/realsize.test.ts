/**
 * The real-size pair's recipe (tools/fused/build.py realsize, what `npm run bench -- realsize` builds at Qwen3-0.6B's
 * full shape) at a small size of the same family: the real vocabularies, untiled tables, the fused styles, and the
 * Hub layout publishQwen3Extras completes. The q8 LM's logits-only graph, patched by the app to give h, and W (the
 * bf16 safetensors written from the build's table) give W·h that agrees with the export's own (uint8) head.
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
import { publishQwen3Extras } from '../hub/testRepos';

const PYTHON = '/usr/bin/python3';
const BUILDER = resolve(import.meta.dirname, '..', 'fused', 'build.py');
const SMALL = { layers: 2, hidden: 64, heads: 4, kv_heads: 2, head_dim: 16, intermediate: 128 };
const EMBED = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';
const BASE = 'onnx-community/Qwen3-0.6B-ONNX';
let root = '';

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: this test builds a small pair with numpy + onnx (apt install python3-numpy python3-onnx)`);
  root = mkdtempSync(join(tmpdir(), 'lens-realsize-'));
  execFileSync(PYTHON, [BUILDER, 'realsize', root, '--dtypes', 'q8,q4f16', '--size', JSON.stringify(SMALL)], { stdio: 'ignore' });
  publishQwen3Extras(root, root);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the real-size recipe, small', () => {
  it('writes both repos in the fused styles with the real vocabularies, the tokenizers and W', () => {
    for (const [repo, attention, rows] of [
      [EMBED, 'MultiHeadAttention', 151_669],
      [BASE, 'GroupQueryAttention', 151_936],
    ] as const) {
      const config = JSON.parse(readFileSync(join(root, repo, 'config.json'), 'utf8'));
      expect([config.vocab_size, config.hidden_size, config.num_hidden_layers]).toEqual([rows, SMALL.hidden, SMALL.layers]);
      for (const file of ['onnx/model_quantized.onnx', 'onnx/model_q4f16.onnx', 'tokenizer.json', 'tokenizer_config.json']) {
        expect(existsSync(join(root, repo, file)), `${repo}/${file}`).toBe(true);
      }
      const ops = new Set(readGraph(readFileSync(join(root, repo, 'onnx/model_q4f16.onnx'))).nodes.map((n) => n.opType));
      expect([...ops]).toEqual(expect.arrayContaining([attention, 'MatMulNBits', 'RotaryEmbedding', 'SkipSimplifiedLayerNormalization']));
    }
    expect(existsSync(join(root, 'Qwen/Qwen3-0.6B/model.safetensors'))).toBe(true);
  });

  it('the q8 LM patched for h (behind MatMulInteger layers, GroupQueryAttention and the fused final norm): W·h agrees with its logits', async () => {
    const model = readFileSync(join(root, BASE, 'onnx/model_quantized.onnx'));
    expect(readGraph(model).nodes.map((n) => n.opType)).toEqual(expect.arrayContaining(['DynamicQuantizeLinear', 'MatMulInteger']));
    const patch = hiddenStatePatch(model);
    expect(patch).toBeDefined();
    const session = await ort.InferenceSession.create(Buffer.concat([model, patch!]));
    expect(session.outputNames).toContain(HIDDEN_STATE_OUTPUT);
    const ids = [9707, 11, 1879, 0, 151643];
    const long = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, ids.length]);
    const feeds: Record<string, ort.Tensor> = { input_ids: long(ids), attention_mask: long(ids.map(() => 1)), position_ids: long(ids.map((_, i) => i)) };
    for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values'))) {
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, SMALL.kv_heads, 0, SMALL.head_dim]);
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
      // The export's head is the same table in uint8 and h quantized at run time, against bf16 W and float h:
      // the same ranking at the top, logits pointing the same way.
      const ours = new Set(topK(z, 10, rows).ids);
      expect(Array.from(topK(theirs, 10, rows).ids).filter((id) => ours.has(id)).length).toBeGreaterThanOrEqual(8);
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
