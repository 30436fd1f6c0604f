import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ExternalDataSplitter, NotSplittableError } from './externalData';
import { readGraph } from './onnx/graph';

ort.env.wasm.numThreads = 1;

/** Feeds for any of these bodies: four tokens, batch 1, an empty KV cache. */
function feeds(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor) throw new Error(`${input.name}: not a tensor`);
    if (input.name.startsWith('past_key_values')) {
      const shape = input.shape.map((d) => (typeof d === 'number' ? d : d === 'batch_size' ? 1 : 0));
      out[input.name] = new ort.Tensor('float32', new Float32Array(0), shape);
    } else if (input.name === 'position_ids') out[input.name] = new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 3n]), [1, 4]);
    else if (input.name === 'attention_mask') out[input.name] = new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n]), [1, 4]);
    else out[input.name] = new ort.Tensor('int64', BigInt64Array.from([17n, 4242n, 5n, 99n]), [1, 4]);
  }
  return out;
}

/** Splits `file` pushed in pieces of the given sizes (cycled), as a download arrives. */
function split(file: Uint8Array, location: string, sizes: number[]): { graph: Uint8Array; splitter: ExternalDataSplitter } {
  const splitter = new ExternalDataSplitter(location);
  for (let at = 0, i = 0; at < file.length; i++) {
    const n = sizes[i % sizes.length];
    splitter.push(file.subarray(at, at + n));
    at += n;
  }
  return { graph: splitter.finish(), splitter };
}

const BODIES = [
  // q8 as quantize_dynamic writes it (int8 weights, float scales), with a KV cache and logits
  'models/test-shapes/qwen3-vocab/base/onnx/model_quantized.onnx',
  'models/test-shapes/qwen3-vocab/embed/onnx/model_quantized.onnx',
  // float32 weights with per-layer outputs (the demo embedder, 10 MB)
  'models/demo/embed/onnx/model.onnx',
];

describe('ExternalDataSplitter', () => {
  it.each(BODIES)('%s: graph + the file itself as external data runs exactly as the single file', async (path) => {
    const file = new Uint8Array(readFileSync(path));
    const location = 'model.onnx_data';
    // Odd piece sizes, so field keys and lengths straddle pieces; one-byte pieces for a stretch.
    const { graph, splitter } = split(file, location, [1, 1, 3, 7, 1, 64 * 1024 + 13, 2, 1000, 5]);
    expect(splitter.movedTensors).toBeGreaterThan(0);
    // Tensors under 1 KB stay inline: in the stand-ins that is a large share, in a real body almost nothing.
    if (file.length > 1e6) expect(splitter.movedBytes / file.length).toBeGreaterThan(0.98);
    expect(graph.length).toBeLessThan(file.length - splitter.movedBytes + 4096 * splitter.movedTensors);
    // The node list is untouched (the hidden-state patch reads it from the graph).
    expect(readGraph(graph)).toEqual(readGraph(file));

    const whole = await ort.InferenceSession.create(file);
    const parts = await ort.InferenceSession.create(graph, { externalData: [{ path: location, data: file }] });
    const input = feeds(whole);
    const [a, b] = [await whole.run(input), await parts.run(input)];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a)) expect(Array.from(b[name].data as Float32Array)).toEqual(Array.from(a[name].data as Float32Array));
    await Promise.all([whole.release(), parts.release()]);
  });

  it('the graph alone does not load: the weights are not in it', async () => {
    const file = new Uint8Array(readFileSync(BODIES[1]));
    const { graph } = split(file, 'model.onnx_data', [4096]);
    await expect(ort.InferenceSession.create(graph)).rejects.toThrow();
  });

  it('refuses a file cut off mid-field, and bytes that are not protobuf', () => {
    const file = new Uint8Array(readFileSync(BODIES[1]));
    expect(() => split(file.subarray(0, file.length - 100), 'x', [4096])).toThrow(NotSplittableError);
    expect(() => split(new TextEncoder().encode('<!doctype html><html>rate limited</html>'), 'x', [7])).toThrow(NotSplittableError);
  });
});
