/**
 * The fused stand-ins (tools/fused: Qwen3 and SmolLM2 as the Hub's real exports are built, with
 * GroupQueryAttention / MultiHeadAttention, RotaryEmbedding, fused skip-norms, MatMulNBits and MatMulInteger)
 * computed in onnxruntime against the plain numpy reference, in every dtype, and the app's graph edits on them:
 * last_hidden_state added to a logits-only causal LM, and each layer's residual stream tapped through the fused
 * norms (src/core/onnx/patch.ts), compared with the reference at every layer.
 *
 * Vocabularies here: 320 tokens (parity models; the real-vocabulary stand-ins are checked through the Hub tests).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFloat16 } from '../../src/core/lmHead';
import { indexGraph, readGraph } from '../../src/core/onnx/graph';
import { inspectGraph, reportLines } from '../../src/core/onnx/inspect';
import { HIDDEN_STATE_OUTPUT, hiddenStatePatch, LAYER_OUTPUT_PREFIX, NO_LAYERS_PREFIX, withoutOutputs } from '../../src/core/onnx/patch';
import { findHiddenStateName, findLayerTaps } from '../../src/core/onnx/patterns';

const PYTHON = '/usr/bin/python3';
const FILES = { fp32: 'model.onnx', fp16: 'model_fp16.onnx', q8: 'model_quantized.onnx', q4: 'model_q4.onnx', q4f16: 'model_q4f16.onnx' } as const;
type Dtype = keyof typeof FILES;
/**
 * Largest error allowed, as a fraction of the largest reference value, per dtype. The reference computes in float64
 * with the weights as the dtype stores them, so fp32 and q4 (float32 activations) agree to rounding; fp16 and q4f16
 * compute in half precision; q8 also quantizes every activation to 8 bits at run time (DynamicQuantizeLinear).
 */
const TOLERANCE: Record<Dtype, number> = { fp32: 1e-5, q4: 1e-5, fp16: 5e-3, q4f16: 5e-3, q8: 0.08 };
const MODELS = ['qwen3-embed', 'qwen3-lm', 'smollm2-lm'] as const;

interface Reference {
  shape: { hidden: number; layers: number; kv_heads: number; head_dim: number; vocab: number };
  texts: number[][];
  dtypes: Record<Dtype, { streams: string[]; hidden: string; logits: string }[]>;
}

let root = '';
beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: this test builds the stand-ins with numpy + onnx (apt install python3-numpy python3-onnx)`);
  root = mkdtempSync(join(tmpdir(), 'lens-fused-'));
  execFileSync(PYTHON, [resolve(import.meta.dirname, 'build.py'), 'parity', root], { stdio: 'ignore' });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const reference = (model: string): Reference => JSON.parse(readFileSync(join(root, model, 'reference.json'), 'utf8'));
const floats = (base64: string) => {
  const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
  return new Float32Array(bytes.buffer);
};
const asFloat32 = (t: ort.Tensor): Float32Array =>
  t.type === 'float16' ? Float32Array.from(t.data as Uint16Array, decodeFloat16) : Float32Array.from(t.data as Float32Array);

/** Runs `path` on the reference texts as one batch, padded on `side`, with empty past tensors. */
async function run(
  path: string,
  ref: Reference,
  side: 'left' | 'right',
): Promise<{ outputs: ort.InferenceSession.OnnxValueMapType; offsets: number[]; width: number }> {
  const session = await ort.InferenceSession.create(path);
  const width = Math.max(...ref.texts.map((t) => t.length));
  const batch = ref.texts.length;
  const ids = new BigInt64Array(batch * width);
  const mask = new BigInt64Array(batch * width);
  const positions = new BigInt64Array(batch * width).fill(1n); // padded positions read 1, as transformers.js makes them
  const offsets = ref.texts.map((t) => (side === 'left' ? width - t.length : 0));
  for (const [b, text] of ref.texts.entries())
    for (const [i, id] of text.entries()) {
      const at = b * width + offsets[b] + i;
      ids[at] = BigInt(id);
      mask[at] = 1n;
      positions[at] = BigInt(i);
    }
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [batch, width]),
    attention_mask: new ort.Tensor('int64', mask, [batch, width]),
    position_ids: new ort.Tensor('int64', positions, [batch, width]),
  };
  for (const meta of session.inputMetadata) {
    if (!meta.name.startsWith('past_key_values') || !meta.isTensor) continue;
    const empty = meta.type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    feeds[meta.name] = new ort.Tensor(meta.type as 'float32', empty as Float32Array, [batch, ref.shape.kv_heads, 0, ref.shape.head_dim]);
  }
  const outputs = await session.run(feeds);
  await session.release();
  return { outputs, offsets, width };
}

/** Largest |got − want| over the real tokens of every text, as a fraction of the largest |want|. */
function relativeError(got: Float32Array, want: Float32Array[], ref: Reference, offsets: number[], width: number, dim: number): number {
  let err = 0;
  let scale = 0;
  ref.texts.forEach((text, b) => {
    for (let i = 0; i < text.length; i++)
      for (let d = 0; d < dim; d++) {
        const w = want[b][i * dim + d];
        err = Math.max(err, Math.abs(got[(b * width + offsets[b] + i) * dim + d] - w));
        scale = Math.max(scale, Math.abs(w));
      }
  });
  return err / scale;
}

/** The model with the app's patch appended, written beside it (so its external data is found). */
function patched(model: string, dtype: Dtype): string {
  const path = join(root, model, 'onnx', FILES[dtype]);
  const bytes = readFileSync(path);
  const patch = hiddenStatePatch(bytes);
  if (!patch) throw new Error(`${model} ${dtype}: the app found nothing to add`);
  const out = join(root, model, 'onnx', `patched_${FILES[dtype]}`);
  writeFileSync(out, Buffer.concat([bytes, patch]));
  return out;
}

describe.each(MODELS)('%s (fused export) against the numpy reference', (model) => {
  const dtypes = Object.keys(FILES) as Dtype[];

  it.each(dtypes)('%s computes what the reference computes (right-padded batch)', async (dtype) => {
    const ref = reference(model);
    const { outputs, offsets, width } = await run(join(root, model, 'onnx', FILES[dtype]), ref, 'right');
    const key = model.endsWith('-lm') ? 'logits' : 'hidden';
    const output = outputs[key === 'logits' ? 'logits' : 'last_hidden_state'];
    const dim = key === 'logits' ? ref.shape.vocab : ref.shape.hidden;
    const want = ref.dtypes[dtype].map((t) => floats(t[key]));
    expect(relativeError(asFloat32(output), want, ref, offsets, width, dim)).toBeLessThan(TOLERANCE[dtype]);
  });

  it.each(dtypes)('%s: the app taps every layer through the fused norms, and the hidden state', async (dtype) => {
    const ref = reference(model);
    const bytes = readFileSync(join(root, model, 'onnx', FILES[dtype]));
    const taps = findLayerTaps(indexGraph(readGraph(bytes).nodes), model.endsWith('-lm') ? hiddenOf(bytes) : 'last_hidden_state');
    expect(taps).not.toHaveProperty('reason');
    const { outputs, offsets, width } = await run(patched(model, dtype), ref, 'right');
    const dim = ref.shape.hidden;
    for (let layer = 1; layer <= ref.shape.layers; layer++) {
      const tap = outputs[`${LAYER_OUTPUT_PREFIX}${layer}`];
      expect(tap, `layer ${layer}`).toBeDefined();
      const want = ref.dtypes[dtype].map((t) => floats(t.streams[layer - 1]));
      expect(relativeError(asFloat32(tap), want, ref, offsets, width, dim), `layer ${layer}`).toBeLessThan(TOLERANCE[dtype]);
    }
    const hidden = outputs[HIDDEN_STATE_OUTPUT];
    const want = ref.dtypes[dtype].map((t) => floats(t.hidden));
    expect(relativeError(asFloat32(hidden), want, ref, offsets, width, dim)).toBeLessThan(TOLERANCE[dtype]);
    expect(Object.keys(outputs).filter((name) => name.startsWith(NO_LAYERS_PREFIX))).toEqual([]);
  });
});

/** The hidden state a causal LM's LM head reads (what the patch exposes as last_hidden_state). */
/** The hidden state the LM head reads, as the app finds it (q8: behind DynamicQuantizeLinear → MatMulInteger). */
function hiddenOf(bytes: Uint8Array): string {
  const hidden = findHiddenStateName(indexGraph(readGraph(bytes).nodes));
  if (!hidden) throw new Error('no hidden state behind the logits');
  return hidden;
}

describe('padding', () => {
  it('MultiHeadAttention (the embedder) reads a left-padded batch as its texts alone', async () => {
    const ref = reference('qwen3-embed');
    const { outputs, offsets, width } = await run(join(root, 'qwen3-embed', 'onnx', FILES.fp32), ref, 'left');
    const want = ref.dtypes.fp32.map((t) => floats(t.hidden));
    expect(relativeError(asFloat32(outputs.last_hidden_state), want, ref, offsets, width, ref.shape.hidden)).toBeLessThan(TOLERANCE.fp32);
  });

  it('GroupQueryAttention misreads a left-padded first prompt: why the app never left-pads a causal LM', async () => {
    // onnxruntime's GQA takes a prompt's real tokens to start at position 0 (seqlens_k counts them from there).
    const ref = reference('qwen3-lm');
    const { outputs, offsets, width } = await run(join(root, 'qwen3-lm', 'onnx', FILES.fp32), ref, 'left');
    const want = ref.dtypes.fp32.map((t) => floats(t.logits));
    expect(relativeError(asFloat32(outputs.logits), want, ref, offsets, width, ref.shape.vocab)).toBeGreaterThan(0.1);
  });
});

describe("verify:hub's graph report (src/core/onnx/inspect.ts) on the fused graphs", () => {
  it('the causal LM (model-builder style, q4f16): its fused ops counted, 4 layers, the last one summed by the app', () => {
    const bytes = readFileSync(join(root, 'qwen3-lm', 'onnx', FILES.q4f16));
    const before = inspectGraph(readGraph(bytes).nodes, readGraph(bytes).outputs);
    const ops = Object.fromEntries(before.ops);
    expect(ops).toMatchObject({ GroupQueryAttention: 4, RotaryEmbedding: 8, SkipSimplifiedLayerNormalization: 8, MatMulNBits: 28 });
    expect(ops.Add).toBeUndefined(); // no plain residual Add anywhere
    expect(before.patched).toBe(false);
    expect(before.layers).toEqual({ taps: expect.any(Array) });
    const taps = (before.layers as { taps: string[] }).taps;
    expect(taps).toHaveLength(4);
    expect(taps[0]).toBe('/model/layers.1/input_layernorm/SkipLayerNorm/output_3');
    expect(taps[3]).toMatch(/\(summed by the app\)$/);
    const after = readGraph(Buffer.concat([bytes, hiddenStatePatch(bytes)!]));
    const report = inspectGraph(after.nodes, after.outputs);
    const finalNorm = '/model/layers.4/final_norm_layernorm/SkipLayerNorm/output_0';
    expect(report).toMatchObject({ patched: true, hidden: finalNorm, ops: before.ops });
    expect(reportLines(report).join('\n')).toMatch(
      /^ops: .*GroupQueryAttention 4.*\nhidden state: \/model\/layers.4\/.*\nlayers: 4 tapped, .*\napp's edits in this copy: applied$/,
    );
  });

  it('the embedder (optimizer style, fp32): MultiHeadAttention with Tile, 4 layers', () => {
    const bytes = readFileSync(join(root, 'qwen3-embed', 'onnx', FILES.fp32));
    const { nodes, outputs } = readGraph(bytes);
    const report = inspectGraph(nodes, outputs);
    expect(Object.fromEntries(report.ops)).toMatchObject({ MultiHeadAttention: 4, Tile: 8, RotaryEmbedding: 8, SimplifiedLayerNormalization: 9 });
    expect(report.hidden).toBe('last_hidden_state');
    expect((report.layers as { taps: string[] }).taps).toHaveLength(4);
  });
});

describe('the hidden state instead of logits on the fused causal LM', () => {
  it.each(['q8', 'q4f16'] as const)(
    '%s: logits and the LM head dropped, the tied embedding kept for the Gather, h as the reference computes it',
    async (dtype) => {
      const ref = reference('qwen3-lm');
      const bytes = readFileSync(join(root, 'qwen3-lm', 'onnx', FILES[dtype]));
      const pruned = withoutOutputs(Buffer.concat([bytes, hiddenStatePatch(bytes)!]), ['logits']);
      const { nodes, outputs } = readGraph(pruned);
      expect(outputs).not.toContain('logits');
      expect(nodes.some((n) => n.name?.startsWith('/lm_head/'))).toBe(false);
      // q8 stores the table in uint8 (quantize_dynamic's Gather), read by both the Gather and the head it drops.
      const table = dtype === 'q8' ? 'model.embed_tokens.weight_quantized' : 'model.embed_tokens.weight';
      expect(nodes.find((n) => n.name === '/model/embed_tokens/Gather')?.inputs[0]).toBe(table);
      // Added outputs are never named present… (transformers.js takes those for KV cache).
      expect(outputs.filter((o) => o.startsWith('present')).length).toBe(2 * ref.shape.layers);
      const path = join(root, 'qwen3-lm', 'onnx', `pruned_${FILES[dtype]}`);
      writeFileSync(path, pruned);
      const { outputs: got, offsets, width } = await run(path, ref, 'right');
      const want = ref.dtypes[dtype].map((t) => floats(t.hidden));
      expect(relativeError(asFloat32(got[HIDDEN_STATE_OUTPUT]), want, ref, offsets, width, ref.shape.hidden)).toBeLessThan(TOLERANCE[dtype]);
    },
  );
});
