/// <reference lib="webworker" />
import { env } from '@huggingface/transformers';
import * as Comlink from 'comlink';
import ortAsyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortAsyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortPlainMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortPlainWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { analyzeDataset, compareTemplates, compareTexts, contributions } from '../runtime/analyses';
import { estimatePair } from '../runtime/estimate';
import { httpReader } from '../runtime/files';
import { hiddenStateFetch } from '../runtime/hiddenStateFetch';
import { lazyBodyFetch } from '../runtime/lazyBodyFetch';
import { DEFAULT_HUB_URL, HubClient } from '../runtime/hub';
import { deleteAllCachedModels, deleteCachedModel, getCachedHead, listCachedModels, putCachedHead } from '../runtime/modelCache';
import { manifestFor, needsHub } from '../runtime/pairId';
import { choosePrecision, hasFp16Bodies } from '../runtime/precision';
import type { Device } from '../runtime/pair';
import type { RetrievalWorkerApi } from '../runtime/retrieval';
import { LensSession } from '../runtime/session';
import { appRootPath } from './appRoot';
import type { BackendChoice, LensWorkerApi } from './protocol';

// A path under the app's root, wherever the app is hosted (appRoot.ts).
const MODEL_ROOT = `${appRootPath(import.meta.env.BASE_URL, import.meta.url)}models/`;

// Models come from the app's own /models/ folder and the ONNX runtime's wasm
// from the app's own assets, so the explorer works offline.
env.allowLocalModels = true;
env.allowRemoteModels = false;
env.localModelPath = MODEL_ROOT;
// One download per local model file, not two (lazyBodyFetch); logits-only
// causal-LM exports gain a last_hidden_state output as they arrive (hiddenStateFetch).
env.fetch = hiddenStateFetch(lazyBodyFetch((input, init) => fetch(input, init), new URL(MODEL_ROOT, self.location.href).href));
// Let onnxruntime compile its wasm by streaming from its URL: Chromium then keeps the compiled
// code between visits. (transformers.js's own wasm cache hands ORT an ArrayBuffer, compiled anew each time.)
env.useWasmCache = false;

/**
 * onnxruntime-web's wasm build is chosen once per worker, at the first load: the
 * WebGPU-capable (asyncify) build is 27 MB, the WASM-only build 14 MB and half the
 * compile. The page restarts the worker when the user changes backend.
 */
let ortBuild: 'webgpu' | 'wasm' | undefined;
function chooseOrtBuild(device: Device): void {
  const onnxWasm = env.backends.onnx.wasm;
  if (!onnxWasm) return;
  if (ortBuild === undefined) {
    ortBuild = device === 'webgpu' ? 'webgpu' : 'wasm';
    onnxWasm.wasmPaths = ortBuild === 'webgpu' ? { mjs: ortAsyncifyMjsUrl, wasm: ortAsyncifyWasmUrl } : { mjs: ortPlainMjsUrl, wasm: ortPlainWasmUrl };
  } else if (ortBuild === 'wasm' && device === 'webgpu') {
    throw new Error('This model worker started on WASM; reload the page to use WebGPU.');
  }
}

const modelFiles = httpReader(MODEL_ROOT);
const session = new LensSession(modelFiles);

/** Points transformers.js and the LM-head reader at a Hub (or a local stand-in) for Hub pairs. */
function connectHub(pairId: string, hubUrl = DEFAULT_HUB_URL): HubClient {
  const hub = new HubClient({ baseUrl: hubUrl });
  env.allowRemoteModels = needsHub(pairId);
  env.remoteHost = `${hub.baseUrl}/`;
  session.hub = hub;
  session.headCache = {
    get: (repo) => getCachedHead(hub.baseUrl, repo),
    put: (repo, head) => putCachedHead(hub.baseUrl, repo, head),
  };
  return hub;
}

async function pickDevice(choice: BackendChoice): Promise<{ device: Device; shaderF16: boolean }> {
  if (choice === 'wasm') return { device: 'wasm', shaderF16: false };
  const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (adapter) return { device: 'webgpu', shaderF16: adapter.features.has('shader-f16') };
  if (choice === 'webgpu') throw new Error('WebGPU was requested, but this browser offers no WebGPU adapter.');
  return { device: 'wasm', shaderF16: false };
}

/** Whether a file exists under the app's model root (a HEAD request). */
const localExists = (path: string) =>
  fetch(`${MODEL_ROOT}${path}`, { method: 'HEAD' }).then(
    (r) => r.ok,
    () => false,
  );

let onDeviceLost: ((reason: string) => void) | undefined;

/**
 * If the GPU device is lost mid-session (driver reset, another tab's OOM), tell
 * the page: it restarts this worker on WASM (the runtime's state after a loss is
 * not to be trusted) and keeps the user's text and view.
 */
function watchDeviceLoss(): void {
  const device = (env.backends.onnx as { webgpu?: { device?: GPUDeviceLike } }).webgpu?.device;
  void device?.lost.then((lost) => onDeviceLost?.(lost.reason || lost.message || 'unknown reason'));
}

interface GPUDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

// Runs the page has cancelled; a run checks between batches (ids are never reused).
const cancelledRuns = new Set<number>();

const api: LensWorkerApi = {
  async load(pairId, backend, onProgress, hubUrl, options = {}) {
    connectHub(pairId, hubUrl);
    const { device, shaderF16 } = await pickDevice(backend);
    chooseOrtBuild(device);
    const manifest = await manifestFor(pairId, modelFiles);
    const fp16Files = device === 'webgpu' && shaderF16 && (await hasFp16Bodies(manifest, session.hub!, localExists));
    const info = await session.loadManifest(manifest, device, onProgress, choosePrecision(device, shaderF16, fp16Files));
    if (device !== 'webgpu') return info;
    // WebGPU must agree with WASM on a canary text, else the pair runs on WASM (and says so).
    const canary = await session.checkAgainstWasm(options.distortWebgpu);
    if (!canary.ok) {
      const fallback = await session.loadManifest(manifest, 'wasm', onProgress);
      return { ...fallback, canary, notice: `WebGPU disagreed with WASM on a check text (${canary.reason}): running on WASM.` };
    }
    watchDeviceLoss();
    return { ...info, canary };
  },
  async estimate(pairId, hubUrl) {
    const hub = connectHub(pairId, hubUrl);
    const memory = (self.navigator as Navigator & { deviceMemory?: number }).deviceMemory;
    return estimatePair(await manifestFor(pairId, modelFiles), hub, memory);
  },
  async onDeviceLost(callback) {
    onDeviceLost = callback;
  },
  async loseDevice() {
    (env.backends.onnx as { webgpu?: { device?: GPUDeviceLike } }).webgpu?.device?.destroy();
  },
  listCache: () => listCachedModels(),
  deleteCached: (repo) => (repo === null ? deleteAllCachedModels() : deleteCachedModel(repo)),
  align: (requestId, text, k, lambda) => session.align(requestId, text, k, lambda),
  shift: async (requestId, lambda, k) => session.shift(requestId, lambda, k),

  async analyzeDataset(runId, texts, k, onProgress) {
    try {
      return await analyzeDataset(session.loaded, texts, { k, onProgress, isCancelled: () => cancelledRuns.has(runId) });
    } finally {
      cancelledRuns.delete(runId);
    }
  },
  async cancelAnalysis(runId) {
    cancelledRuns.add(runId);
  },
  async setDirection(u1) {
    session.setDirection(u1);
  },
  async contributions(requestId, k) {
    const states = session.currentStates;
    return states && session.isCurrent(requestId) ? contributions(session.loaded, states, k) : null;
  },
  compareTemplates: (text, templates, k) => compareTemplates(session.loaded, text, templates, k),
  compareTexts: (textA, textB, k) => compareTexts(session.loaded, textA, textB, k),
  ...lazyRetrievalApi(),
};

Comlink.expose(api);

/**
 * The Retrieval view's API, whose code (BM25 with wink-nlp's English lexicon, ~3 MB of the
 * worker's 4.5 MB) loads on its first call instead of at every worker start.
 */
function lazyRetrievalApi(): RetrievalWorkerApi {
  let api: Promise<RetrievalWorkerApi> | undefined;
  const load = () => (api ??= import('../runtime/retrieval').then((m) => m.retrievalWorkerApi(() => session.loaded)));
  return {
    retrievalBuild: async (...args) => (await load()).retrievalBuild(...args),
    retrievalCancel: async (...args) => (await load()).retrievalCancel(...args),
    retrievalConfigure: async (...args) => (await load()).retrievalConfigure(...args),
    retrievalSearch: async (...args) => (await load()).retrievalSearch(...args),
    retrievalEvaluate: async (...args) => (await load()).retrievalEvaluate(...args),
  };
}
