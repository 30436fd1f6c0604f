import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, startHubServer } from '../../tools/hub/hubServer';
import { buildTestHub } from '../../tools/hub/testRepos';
import { findPair } from '../shared/catalog';
import { autoDtypeHint, chooseDtype, preferredDtypes, probeVariants } from '../shared/dtypes';
import { customPairManifest } from '../shared/manifest';
import { estimatePair, WASM_HEAP_BYTES } from './estimate';
import { HubClient } from './hub';
import { planPair } from './plan';

// The catalog's Qwen3 and SmolLM2 entries against stand-ins with the real repos' file names and variants.
let hub: HubServer;
let client: HubClient;
// Building the test Hub copies and generates its stand-ins: seconds, more with other test files running beside it.
beforeAll(async () => {
  hub = await startHubServer({ roots: [buildTestHub()] });
  client = new HubClient({ baseUrl: hub.url });
}, 60_000);
afterAll(() => hub.close());

const qwen3 = customPairManifest(findPair('qwen3-0.6b').hub!);
const smol = customPairManifest(findPair('smollm2-135m-eol').hub!);

describe('dtype variants', () => {
  it('finds every variant a repo has, with external data chunks whether or not config.json declares them', async () => {
    const plan = await planPair(qwen3, client, { device: 'wasm' });
    expect(plan.available).toEqual(['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
    const embed = plan.variants['onnx-community/Qwen3-Embedding-0.6B-ONNX'];
    expect(embed.find((v) => v.dtype === 'fp32')).toMatchObject({
      graph: 'onnx/model.onnx',
      externalData: [{ path: 'model.onnx_data', data: 'onnx/model.onnx_data' }],
      files: [{ file: 'onnx/model.onnx' }, { file: 'onnx/model.onnx_data' }],
    });
    expect(embed.find((v) => v.dtype === 'q8')).toMatchObject({
      graph: 'onnx/model_quantized.onnx',
      externalData: [],
      files: [{ file: 'onnx/model_quantized.onnx' }],
    });
    expect(plan.dtype).toBe('q8'); // WASM: q8, as transformers.js users expect
  });

  it('picks per backend and honours a requested dtype; a missing one fails naming those that exist', async () => {
    expect((await planPair(qwen3, client, { device: 'webgpu', shaderF16: true })).dtype).toBe('q4f16');
    expect((await planPair(qwen3, client, { device: 'webgpu', shaderF16: false })).dtype).toBe('fp32');
    expect((await planPair(qwen3, client, { device: 'wasm', dtype: 'fp16' })).dtype).toBe('fp16');
    // SmolLM2-135M-Instruct ships fp32, fp16, q4, q4f16: no q8, so WASM falls back to fp32.
    expect((await planPair(smol, client, { device: 'wasm' })).dtype).toBe('fp32');
    await expect(planPair(smol, client, { device: 'wasm', dtype: 'q8' })).rejects.toThrow(
      'HuggingFaceTB/SmolLM2-135M-Instruct: no q8 variant (onnx/model_quantized.onnx); available: fp32, fp16, q4, q4f16.',
    );
  });

  it('a repo with no onnx/ folder fails naming the repo', async () => {
    const manifest = customPairManifest({ embed: 'hubtest/no-onnx', base: 'hubtest/demo-base', pooling: 'mean' });
    await expect(planPair(manifest, client, { device: 'wasm' })).rejects.toThrow(/hubtest\/no-onnx has no ONNX model under onnx\//);
  });

  it('preferences and a requested dtype', () => {
    expect(preferredDtypes('wasm', false)[0]).toBe('q8');
    expect(preferredDtypes('webgpu', true).slice(0, 2)).toEqual(['q4f16', 'fp16']);
    // What the pair picker says "auto" picks, from the same table.
    expect(autoDtypeHint({ device: 'wasm', shaderF16: false })).toBe('q8 here on WASM; else fp32, q4, fp16, q4f16');
    expect(autoDtypeHint({ device: 'webgpu', shaderF16: false })).toBe('fp32 here on WebGPU; else q4, q8');
    expect(autoDtypeHint()).toBe('q8 on WASM, q4f16/fp16 on WebGPU with shader-f16');
    expect(() => chooseDtype('q4', ['fp32'], preferredDtypes('cpu', false), 'a/b')).toThrow('a/b: no q4 variant (onnx/model_q4.onnx); available: fp32.');
    expect(() => chooseDtype(undefined, [], preferredDtypes('cpu', false), 'a/b')).toThrow(/no ONNX model/);
  });

  it('probes chunk after chunk until one is missing', async () => {
    const sizes: Record<string, number> = { 'onnx/model.onnx': 10, 'onnx/model.onnx_data': 100, 'onnx/model.onnx_data_1': 50 };
    const [fp32] = await probeVariants(async (file) => sizes[file]);
    expect(fp32).toMatchObject({ dtype: 'fp32', bytes: 160 });
    expect(fp32.externalData).toEqual([
      { path: 'model.onnx_data', data: 'onnx/model.onnx_data' },
      { path: 'model.onnx_data_1', data: 'onnx/model.onnx_data_1' },
    ]);
  });
});

describe('the estimate counts what the tab will hold', () => {
  it('both bodies in the chosen dtype with their external data, W, and the peak copy of the largest body', async () => {
    const plan = await planPair(qwen3, client, { device: 'cpu' });
    const estimate = await estimatePair(qwen3, client, plan, 8);
    const bodies = Object.values(plan.chosen).reduce((n, v) => n + v.bytes, 0);
    const largest = Math.max(...Object.values(plan.chosen).map((v) => v.bytes));
    // W is Qwen/Qwen3-0.6B's tied embedding in bf16: vocab × hidden from that repo's config.json.
    const config = (await (await fetch(`${hub.url}/Qwen/Qwen3-0.6B/resolve/main/config.json`)).json()) as { vocab_size: number; hidden_size: number };
    expect(config.vocab_size).toBe(151936);
    const head = config.vocab_size * config.hidden_size * 2;
    expect(estimate.files.map((f) => f.file)).toEqual([
      'onnx-community/Qwen3-Embedding-0.6B-ONNX/onnx/model.onnx',
      'onnx-community/Qwen3-Embedding-0.6B-ONNX/onnx/model.onnx_data',
      'onnx-community/Qwen3-0.6B-ONNX/onnx/model.onnx',
      'onnx-community/Qwen3-0.6B-ONNX/onnx/model.onnx_data',
      'Qwen/Qwen3-0.6B (LM head tensor)',
    ]);
    expect(estimate.totalBytes).toBe(bodies + head);
    expect(estimate.memoryBytes).toBe(bodies + largest + head);
    expect(estimate.dtypes.map((d) => d.dtype)).toEqual(['fp32', 'fp16', 'q8', 'q4', 'q4f16']);
    expect(estimate.repos).toEqual(['onnx-community/Qwen3-Embedding-0.6B-ONNX', 'onnx-community/Qwen3-0.6B-ONNX', 'Qwen/Qwen3-0.6B']);
    expect(estimate.refusal).toBeUndefined();
  });

  it("a dtype whose weights exceed onnxruntime-web's 4 GiB memory is refused, naming the variants that fit", async () => {
    const plan = await planPair(qwen3, client, { device: 'wasm', dtype: 'fp32' });
    // The real Qwen3-0.6B sizes: fp32 ~2.4 GB per body with its external data, q8 ~0.6 GB.
    for (const variants of Object.values(plan.variants)) {
      for (const v of variants) {
        v.bytes = v.dtype === 'fp32' ? 2.4e9 : v.dtype === 'fp16' ? 1.2e9 : 0.6e9;
        v.files = [{ file: v.files[0].file, bytes: v.bytes }];
      }
    }
    for (const [repo, variants] of Object.entries(plan.variants)) plan.chosen[repo] = variants[0];
    const estimate = await estimatePair(qwen3, client, plan);
    expect(4.8e9).toBeGreaterThan(WASM_HEAP_BYTES * 0.9);
    expect(estimate.refusal).toMatch(
      /in fp32 are 4\.8 GB of weights: more than onnxruntime-web's 4 GiB WebAssembly memory holds\. Choose fp16 .* or q8 .* or q4 .* or q4f16/,
    );
  });
});
