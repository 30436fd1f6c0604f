import { env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { testHubForThisFile } from '../../tools/hub/testHubForThisFile';
import { localModelReader } from './node';
import { fallBackToWasm, type LoadRequest, resolveDevice, resolveLoad, type WebgpuAdapter } from './resolveLoad';

// The catalog's Qwen3 pair (every dtype) and SmolLM2 (no q8) against stand-ins with the real repos' file names;
// the demo pair from models/.
const hub = testHubForThisFile();

const read = localModelReader();
const NO_ADAPTER = async (): Promise<WebgpuAdapter> => undefined;
const WITHOUT_F16 = async (): Promise<WebgpuAdapter> => ({ shaderF16: false });
const WITH_F16 = async (): Promise<WebgpuAdapter> => ({ shaderF16: true });

const qwen3 = (request: Partial<LoadRequest>, webgpuAdapter = NO_ADAPTER) =>
  resolveLoad({ pairId: 'qwen3-0.6b', backend: 'auto', hubUrl: hub.url, ...request }, { read, webgpuAdapter });

describe('a load request resolves to a device, a dtype per repo and the fallbacks taken', () => {
  it('WebGPU where the browser has an adapter: half floats with shader-f16, fp32 without', async () => {
    const f16 = await qwen3({}, WITH_F16);
    expect(f16).toMatchObject({ device: 'webgpu', shaderF16: true, fallbacks: [], notice: undefined });
    expect(f16.plan.dtype).toBe('q4f16');
    expect(f16.manifest.embed.model).toBe('onnx-community/Qwen3-Embedding-0.6B-ONNX');
    expect(f16.hub.baseUrl).toBe(hub.url);
    const plain = await qwen3({ backend: 'webgpu' }, WITHOUT_F16);
    expect(plain).toMatchObject({ device: 'webgpu', shaderF16: false, fallbacks: [] });
    expect(plain.plan.dtype).toBe('fp32');
    // Each body's graph and external data chunks, as loadPair hands them to transformers.js.
    expect(plain.plan.chosen['onnx-community/Qwen3-0.6B-ONNX']).toMatchObject({
      graph: 'onnx/model.onnx',
      externalData: [{ path: 'model.onnx_data', data: 'onnx/model.onnx_data' }],
    });
  });

  it('no adapter: WASM, said only when WebGPU was asked for by name', async () => {
    const auto = await qwen3({ backend: 'auto' });
    expect(auto).toMatchObject({ device: 'wasm', fallbacks: [{ device: 'webgpu', reason: { kind: 'no-adapter' } }], notice: undefined });
    expect(auto.plan.dtype).toBe('q8');
    const named = await qwen3({ backend: 'webgpu' });
    expect(named).toMatchObject({ device: 'wasm', fallbacks: [{ device: 'webgpu', reason: { kind: 'no-adapter' } }] });
    expect(named.notice).toBe('WebGPU was requested, but this browser offers no WebGPU adapter: running on WASM.');
  });

  it('a half-float dtype on an adapter without shader-f16 runs on WASM, decided before anything loads', async () => {
    const resolved = await qwen3({ backend: 'webgpu', dtype: 'fp16' }, WITHOUT_F16);
    expect(resolved).toMatchObject({ device: 'wasm', shaderF16: false, fallbacks: [{ device: 'webgpu', reason: { kind: 'no-shader-f16', dtype: 'fp16' } }] });
    expect(resolved.plan.dtype).toBe('fp16');
    expect(resolved.notice).toBe("fp16 computes in 16-bit floats, which this browser's WebGPU adapter cannot run (it lacks shader-f16): running on WASM.");
    // With shader-f16 the same request stays on WebGPU.
    expect((await qwen3({ backend: 'webgpu', dtype: 'fp16' }, WITH_F16)).device).toBe('webgpu');
  });

  it('WASM asks for no adapter; the CLI runs on the CPU, fp32 where the repos have it', async () => {
    const asked: string[] = [];
    const wasm = await qwen3({ backend: 'wasm' }, async () => {
      asked.push('adapter');
      return { shaderF16: true };
    });
    expect(wasm).toMatchObject({ device: 'wasm', fallbacks: [] });
    expect(asked).toEqual([]);
    const cpu = await qwen3({ backend: 'cpu' });
    expect(cpu).toMatchObject({ device: 'cpu', fallbacks: [] });
    expect(cpu.plan.dtype).toBe('fp32');
  });

  it('after a load, WebGPU disagreeing with WASM falls back from the same resolution, the dtype chosen again for WASM', async () => {
    const webgpu = await qwen3({}, WITH_F16);
    const wasm = fallBackToWasm(webgpu, { kind: 'check-text', detail: 'cosine 0.2000 between WebGPU and WASM embeddings' });
    expect(wasm).toMatchObject({ device: 'wasm', shaderF16: false, manifest: webgpu.manifest, hub: webgpu.hub });
    expect(wasm.plan.dtype).toBe('q8');
    expect(wasm.fallbacks).toEqual([{ device: 'webgpu', reason: { kind: 'check-text', detail: 'cosine 0.2000 between WebGPU and WASM embeddings' } }]);
    expect(wasm.notice).toBe('WebGPU disagreed with WASM on a check text (cosine 0.2000 between WebGPU and WASM embeddings): running on WASM.');
  });

  it('a dtype the repos lack fails naming those they have; a shipped pair has fp32 only', async () => {
    await expect(resolveLoad({ pairId: 'smollm2-135m-eol', backend: 'wasm', hubUrl: hub.url, dtype: 'q8' }, { read })).rejects.toThrow(
      'HuggingFaceTB/SmolLM2-135M-Instruct: no q8 variant (onnx/model_quantized.onnx); available: fp32, fp16, q4, q4f16.',
    );
    // Without a dtype, WASM's preference (q8 first) falls to the next the repo has.
    expect((await resolveLoad({ pairId: 'smollm2-135m-eol', backend: 'wasm', hubUrl: hub.url }, { read })).plan.dtype).toBe('fp32');
    await expect(resolveLoad({ pairId: 'demo', backend: 'wasm', dtype: 'q8' }, { read })).rejects.toThrow('demo ships fp32 bodies only; no q8 variant.');
    const demo = await resolveLoad({ pairId: 'demo', backend: 'wasm' }, { read });
    expect(demo.plan.chosen['demo/embed']).toMatchObject({ dtype: 'fp32', graph: 'onnx/model.onnx', externalData: [] });
  });

  it("asks questions only: transformers.js' env is not pointed at the Hub asked about", async () => {
    const before = { remoteHost: env.remoteHost, allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels };
    await qwen3({});
    expect({ remoteHost: env.remoteHost, allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels }).toEqual(before);
  });

  it('what auto picks in a browser, before any pair is asked about', async () => {
    expect(await resolveDevice('auto', WITH_F16)).toEqual({ device: 'webgpu', shaderF16: true, fallbacks: [] });
    expect(await resolveDevice('auto', NO_ADAPTER)).toEqual({
      device: 'wasm',
      shaderF16: false,
      fallbacks: [{ device: 'webgpu', reason: { kind: 'no-adapter' } }],
    });
  });
});
