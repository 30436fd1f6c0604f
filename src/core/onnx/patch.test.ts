import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { applyFinalNorm, type FinalNorm } from '../finalNorm';
import { lmHeadFromBytes, project } from '../lmHead';
import { pool } from '../pooling';
import { headerLength, parseHeader, shardFor, tensorRange } from '../safetensors';
import { readGraph } from './graph';
import { HIDDEN_STATE_OUTPUT, hiddenStatePatch, LAYER_OUTPUT_PREFIX, NO_LAYERS_PREFIX, RMS_NORM_PREFIX, withoutOutputs } from './patch';
import { FIELD, message } from './wire';

// A Qwen3-shaped causal-LM export that returns only logits (tools/test_pair/make_shaped_pairs.py).
const SHAPES = resolve(import.meta.dirname, '../../../models/test-shapes');
const logitsOnly = readFileSync(join(SHAPES, 'qwen3-base/onnx/model.onnx'));

function patched(model: Uint8Array): Uint8Array {
  const patch = hiddenStatePatch(model);
  if (!patch) throw new Error('no patch');
  const out = new Uint8Array(model.length + patch.length);
  out.set(model);
  out.set(patch, model.length);
  return out;
}

/** W from the sharded bf16 safetensors, as the app reads it. */
function tiedW() {
  const dir = join(SHAPES, 'qwen3-base');
  const shard = shardFor(JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')), 'model.embed_tokens.weight')!;
  const file = readFileSync(join(dir, shard));
  const header = parseHeader(file.subarray(8, 8 + headerLength(file)));
  const [start, end] = tensorRange(header, 'model.embed_tokens.weight');
  const [rows, cols] = header.tensors['model.embed_tokens.weight'].shape;
  return lmHeadFromBytes(file.slice(start, end), rows, cols, 'bfloat16');
}

async function run(model: Uint8Array, ids: number[]) {
  const session = await ort.InferenceSession.create(model);
  const T = ids.length;
  const long = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, T]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: long(ids),
    attention_mask: long(ids.map(() => 1)),
    position_ids: long(ids.map((_, i) => i)),
  };
  for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values'))) {
    feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
  }
  return { outputs: await session.run(feeds), names: session.outputNames };
}

describe('hiddenStatePatch (appended graph output)', () => {
  it('adds last_hidden_state to a logits-only export, and W·h equals its logits', async () => {
    expect(readGraph(logitsOnly).outputs).not.toContain(HIDDEN_STATE_OUTPUT);
    const ids = [40, 41, 7, 100, 3];
    const { outputs, names } = await run(patched(logitsOnly), ids);
    expect(names).toContain(HIDDEN_STATE_OUTPUT);
    const h = outputs[HIDDEN_STATE_OUTPUT].data as Float32Array;
    const logits = outputs.logits.data as Float32Array;
    const W = tiedW();
    const d = W.cols;
    // Per token: logits_t = W h_t (W stored in bf16 here, the graph's in f32: ~3 significant digits).
    for (let t = 0; t < ids.length; t++) {
      const z = project(W, h.subarray(t * d, (t + 1) * d));
      for (let v = 0; v < W.rows; v += 7) expect(z[v]).toBeCloseTo(logits[t * W.rows + v], 1);
    }
    // The linearity the token view relies on: W pool(h) = pool(W h_t), for every pooling.
    for (const method of ['mean', 'weighted-mean', 'last'] as const) {
      const mask = ids.map(() => 1);
      const viaHidden = project(W, pool(h, mask, d, method));
      const viaLogits = pool(logits, mask, W.rows, method);
      const scale = Math.max(...viaLogits.map(Math.abs));
      for (let v = 0; v < W.rows; v++) expect(Math.abs(viaHidden[v] - viaLogits[v]) / scale).toBeLessThan(2e-2);
    }
  });

  it('gives a model with hidden states of its own only the layer taps, and is idempotent', () => {
    const embedder = readFileSync(join(SHAPES, 'qwen3-embed/onnx/model.onnx'));
    expect(readGraph(patched(embedder)).outputs.filter((o) => o === HIDDEN_STATE_OUTPUT)).toHaveLength(1);
    expect(hiddenStatePatch(patched(embedder))).toBeUndefined();
    expect(hiddenStatePatch(patched(logitsOnly))).toBeUndefined();
  });

  it('exposes each decoder layer and the final RMSNorm; the norm applied to the last layer gives last_hidden_state', async () => {
    for (const file of ['qwen3-base/onnx/model.onnx', 'qwen3-embed/onnx/model.onnx']) {
      const model = patched(readFileSync(join(SHAPES, file)));
      const { outputs, names } = await run(model, [40, 41, 7, 100, 3]);
      expect(names.filter((n) => n.startsWith(LAYER_OUTPUT_PREFIX))).toEqual([`${LAYER_OUTPUT_PREFIX}1`, `${LAYER_OUTPUT_PREFIX}2`]);
      const norm: FinalNorm = {
        kind: 'rms',
        weight: outputs[`${RMS_NORM_PREFIX}weight`].data as Float32Array,
        eps: (outputs[`${RMS_NORM_PREFIX}eps`].data as Float32Array)[0],
      };
      const d = norm.weight.length;
      const last = applyFinalNorm(norm, Float32Array.from(outputs[`${LAYER_OUTPUT_PREFIX}2`].data as Float32Array), d);
      const h = outputs[HIDDEN_STATE_OUTPUT].data as Float32Array;
      for (let i = 0; i < h.length; i++) expect(last[i]).toBeCloseTo(h[i], 4);
      const first = applyFinalNorm(norm, Float32Array.from(outputs[`${LAYER_OUTPUT_PREFIX}1`].data as Float32Array), d);
      expect(Math.max(...first.map((x, i) => Math.abs(x - h[i])))).toBeGreaterThan(1e-2);
    }
  });

  it('says why when a graph has no residual stream to tap (a one-step stand-in body)', () => {
    const oneStep = readFileSync(join(SHAPES, 'qwen3-vocab/base/onnx/model.onnx'));
    const outputs = readGraph(patched(oneStep)).outputs;
    // Its final norm is found (x / sqrt(mean(x²) + ε) · w), but its one residual branch is a running mean, not attention.
    expect(outputs.find((o) => o.startsWith(NO_LAYERS_PREFIX))).toMatch(/none of the 1 branch added to the residual stream computes attention/);
    expect(outputs.some((o) => o.startsWith(LAYER_OUTPUT_PREFIX))).toBe(false);
  });
});

describe('withoutOutputs', () => {
  const tensor = (name: string) => message([[FIELD.tensor.name, name]]);
  const node = (opType: string, inputs: string[], output: string) =>
    message([...inputs.map((i) => [FIELD.node.input, i] as const), [FIELD.node.output, output], [FIELD.node.opType, opType]]);
  const output = (name: string) => message([[FIELD.valueInfo.name, name]]);
  const graph = message([
    [FIELD.graph.node, node('Mul', ['x', 'norm.w'], 'h')],
    [FIELD.graph.node, node('MatMul', ['h', 'lm_head.w'], 'logits')],
    [FIELD.graph.initializer, tensor('norm.w')],
    [FIELD.graph.initializer, tensor('lm_head.w')],
    [FIELD.graph.output, output('logits')],
  ]);
  // What hiddenStatePatch appends: a second graph occurrence.
  const appended = message([
    [FIELD.graph.node, node('Identity', ['h'], HIDDEN_STATE_OUTPUT)],
    [FIELD.graph.output, output(HIDDEN_STATE_OUTPUT)],
  ]);
  const model = message([
    [FIELD.model.graph, graph],
    [FIELD.model.graph, appended],
  ]);

  it('drops an output with the nodes and initializers only it needed, merging the graphs', () => {
    const pruned = withoutOutputs(model, ['logits']);
    expect(readGraph(pruned)).toEqual({ outputs: [HIDDEN_STATE_OUTPUT], nodes: [readGraph(model).nodes[0], readGraph(model).nodes[2]] });
    expect(new TextDecoder().decode(pruned)).not.toContain('lm_head.w');
    expect(new TextDecoder().decode(pruned)).toContain('norm.w');
  });

  it('returns the model itself when it has no such output', () => {
    expect(withoutOutputs(model, ['nothing'])).toBe(model);
  });
});
