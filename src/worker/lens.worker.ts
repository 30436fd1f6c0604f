/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import ortAsyncifyMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortAsyncifyWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortPlainMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortPlainWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { AnalysisCancelled, analyzeDataset, compareTemplates, compareTexts, contributions } from '../runtime/analyses';
import { charsRead } from '../runtime/charsRead';
import { DownloadLog } from '../runtime/downloadLog';
import { estimatePair } from '../runtime/estimate';
import { BodySplitter } from '../runtime/externalDataFetch';
import { reportOf } from '../runtime/faults';
import { hiddenStateFetch } from '../runtime/hiddenStateFetch';
import type { HubClient } from '../runtime/hub';
import { lazyBodyFetch } from '../runtime/lazyBodyFetch';
import {
  cachedBlob,
  cachingFetch,
  canaryKey,
  deleteAllCachedModels,
  deleteCachedModel,
  forgetDownloads,
  getCachedHead,
  getCanaryReference,
  keptSpectra,
  listCachedModels,
  putCachedHead,
  putCanaryReference,
} from '../runtime/modelCache';
import { catalogPairStatus, plannedFiles } from '../runtime/pairFiles';
import { resilientFetch } from '../runtime/resilientFetch';
import { fallBackToWasm, type LoadRequest, type ResolvedLoad, resolveDevice, resolveLoad, type WebgpuAdapter } from '../runtime/resolveLoad';
import type { RetrievalWorkerApi } from '../runtime/retrieval';
import { LensSession } from '../runtime/session';
import { fetchSpectrumText } from '../runtime/spectrumFile';
import { fetchModelFilesWith, ortWebgpuDevice, readShippedPairsFrom, setOrtWasm } from '../runtime/transformersEnv';
import { CATALOG } from '../shared/catalog';
import { httpReader } from '../shared/files';
import { outcomeOf } from '../shared/outcome';
import type { Device } from '../shared/wire';
import { appRootPath } from './appRoot';
import { registerErrorTransfer } from './errorTransfer';
import { JSPI_BUILD, JSPI_WASM_PATHS } from './ortRuntime';
import { type LensWorkerApi, WORKER_READY } from './protocol';
import { listenToSteps, watchBrowserSteps } from './steps';
import { ortThreads, sampleBatch, stalledStep } from './workerOptions';

// A path under the app's root, wherever the app is hosted (appRoot.ts).
const MODEL_ROOT = `${appRootPath(import.meta.env.BASE_URL, import.meta.url)}models/`;

// Pairs shipped under models/ come from the app's own folder and the ONNX runtime's wasm from the app's
// own assets, so the explorer works offline. A Hub pair's files come from the Hub alone: loadPair turns
// the local lookup off for it (LoadPolicy.localFiles), so its files are never asked of the app's origin.
readShippedPairsFrom(MODEL_ROOT);
// One download per local model file, not two (lazyBodyFetch); logits-only
// causal-LM exports gain a last_hidden_state output as they arrive (hiddenStateFetch).
// Hub files: 429/5xx retried, cut-off or mislabelled files refused before any cache keeps them, and
// what a load downloads is logged, so a load that fails on a file's contents removes them (resilientFetch, DownloadLog).
// Single-file Hub bodies reach onnxruntime as graph + external data, so its heap holds their weights once
// (BodySplitter, which also gives their graphs what hiddenStateFetch gives the bodies it does not split).
const downloads = new DownloadLog(forgetDownloads);
const splitter = new BodySplitter();
const network = resilientFetch((input, init) => fetch(input, init), { onDownloaded: downloads.record });
const bodies = splitter.wrap(lazyBodyFetch(network, new URL(MODEL_ROOT, self.location.href).href), downloads.record);
// Files are written to the cache as they stream in (cachingFetch), not copied once more from a finished buffer.
const toCache = hiddenStateFetch(bodies);
fetchModelFilesWith(cachingFetch(toCache), 'app caches');

/**
 * onnxruntime-web's wasm build is chosen once per worker, at the first load: the
 * WebGPU-capable (asyncify) build is 27 MB, the WASM-only build 14 MB and half the
 * compile. The page restarts the worker when the user changes backend.
 */
let ortBuild: 'webgpu' | 'wasm' | undefined;
function chooseOrtBuild(device: Device): void {
  if (ortBuild === undefined) {
    ortBuild = device === 'webgpu' || JSPI_BUILD ? 'webgpu' : 'wasm';
    const paths = JSPI_BUILD
      ? JSPI_WASM_PATHS
      : ortBuild === 'webgpu'
        ? { mjs: ortAsyncifyMjsUrl, wasm: ortAsyncifyWasmUrl }
        : { mjs: ortPlainMjsUrl, wasm: ortPlainWasmUrl };
    // Threads share their memory: a page that is isolated but has no SharedArrayBuffer (WebKitGTK) runs one.
    const shared = self.crossOriginIsolated && typeof SharedArrayBuffer === 'function';
    setOrtWasm(paths, ortThreads({ workerName: self.name, isolated: shared, cores: self.navigator.hardwareConcurrency }));
  } else if (ortBuild === 'wasm' && device === 'webgpu') {
    throw new Error('This model worker started on WASM; reload the page to use WebGPU.');
  }
}

const modelFiles = httpReader(MODEL_ROOT);

/** A file's size under the model root (HEAD's Content-Length), or undefined if it is not there or its size is not said. */
async function sizeUnderModelRoot(path: string): Promise<number | undefined> {
  const response = await fetch(new URL(path, new URL(MODEL_ROOT, self.location.href)), { method: 'HEAD' }).catch(() => undefined);
  const bytes = Number(response?.headers.get('Content-Length'));
  return response?.ok && bytes > 0 ? bytes : undefined;
}
const session = new LensSession(modelFiles, undefined, undefined, downloads);
session.splitter = splitter;
// A Hub pair's sample spectrum is kept between visits: its slider moves at once from the second visit on.
session.spectrumStore = keptSpectra;
session.earlyBatch = sampleBatch(self.name);
// Hub bodies' external data as Blobs from the cache, where onnxruntime reads them one initializer at a time.
if (JSPI_BUILD) session.fileBlob = (url, onBytes, signal) => cachedBlob(url, toCache, onBytes, signal);

/** The session's Hub for the load that follows: the LM-head reader and W's cache (transformers.js' is the load's own, loadPair.ts). */
function connectSessionTo(hub: HubClient): void {
  session.hub = hub;
  session.headCache = {
    get: (repo) => getCachedHead(hub.baseUrl, repo),
    put: (repo, head) => putCachedHead(hub.baseUrl, repo, head),
  };
}

/** The browser's WebGPU adapter, if it offers one, and whether that adapter has shader-f16. */
async function webgpuAdapter(): Promise<WebgpuAdapter> {
  const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  return adapter ? { shaderF16: adapter.features.has('shader-f16') } : undefined;
}

/** The last load resolved is kept, so `load` after `estimate` or `plannedFiles` with the same request probes nothing again. */
let lastResolved: { key: string; value: Promise<ResolvedLoad> } | undefined;
function resolution(request: LoadRequest): Promise<ResolvedLoad> {
  const key = JSON.stringify([request.pairId, request.backend, request.hubUrl, request.dtype]);
  if (lastResolved?.key !== key) {
    const value = resolveLoad(request, { read: modelFiles, webgpuAdapter });
    lastResolved = { key, value };
    value.catch(() => {
      if (lastResolved?.value === value) lastResolved = undefined;
    });
  }
  return lastResolved.value;
}

let onDeviceLost: ((reason: string) => void) | undefined;

/**
 * If the GPU device is lost mid-session (driver reset, another tab's OOM), tell
 * the page: it restarts this worker on WASM (the runtime's state after a loss is
 * not to be trusted) and keeps the user's text and view.
 */
function watchDeviceLoss(): void {
  void ortWebgpuDevice()?.lost.then((lost) => onDeviceLost?.(lost.reason || lost.message || 'unknown reason'));
}

// Runs the page has cancelled; a run checks between batches (ids are never reused).
const cancelledRuns = new Set<number>();

const api: LensWorkerApi = {
  async load(pairId, backend, onProgress, hubUrl, options = {}) {
    const load = await resolution({ pairId, backend, hubUrl, dtype: options.dtype });
    const { manifest, device, plan } = load;
    connectSessionTo(load.hub);
    chooseOrtBuild(device);
    if (device !== 'webgpu') {
      const info = await session.loadManifest(manifest, device, onProgress, plan);
      return load.notice ? { ...info, notice: load.notice } : info;
    }
    // WebGPU must agree with WASM on a canary text, else the pair runs on WASM (and says so). The WASM
    // side is a stored reference (two vectors), computed once per pair and dtype by loading the pair on
    // WASM alone before the WebGPU load: the pair is never held twice.
    const key = canaryKey(load.hub.baseUrl, manifest, plan.dtype);
    let reference = await getCanaryReference(key);
    let head: Awaited<ReturnType<typeof session.wasmReference>>['head'] | undefined;
    if (!reference) {
      ({ reference, head } = await session.wasmReference(manifest, plan, onProgress));
      await putCanaryReference(key, reference);
    }
    const info = await session.loadManifest(manifest, device, onProgress, plan, head);
    const canary = await session.checkCanary(reference, options.distortWebgpu);
    if (!canary.ok) {
      await session.unload();
      const wasm = fallBackToWasm(load, { kind: 'check-text', detail: canary.reason ?? 'no reason given' });
      const fallback = await session.loadManifest(wasm.manifest, wasm.device, onProgress, wasm.plan);
      return { ...fallback, canary, notice: wasm.notice };
    }
    watchDeviceLoss();
    return { ...info, canary };
  },
  async plannedFiles(pairId, backend, hubUrl, dtype) {
    // The load that follows, with the same arguments, finds this resolution kept: the manifest is read once.
    const { manifest } = await resolution({ pairId, backend, hubUrl, dtype });
    return plannedFiles(manifest, sizeUnderModelRoot);
  },
  async catalogAvailability() {
    const rows = await Promise.all(CATALOG.map(async (entry) => [entry.id, (await catalogPairStatus(entry, modelFiles)).available] as const));
    return Object.fromEntries(rows);
  },
  async autoBackend() {
    const { device, shaderF16 } = await resolveDevice('auto', webgpuAdapter);
    return { device: device === 'webgpu' ? 'webgpu' : 'wasm', shaderF16 };
  },
  async estimate(pairId, hubUrl, backend = 'auto', dtype) {
    const { manifest, hub, plan } = await resolution({ pairId, backend, hubUrl, dtype });
    const memory = (self.navigator as Navigator & { deviceMemory?: number }).deviceMemory;
    return estimatePair(manifest, hub, plan, memory);
  },
  async onSteps(callback) {
    listenToSteps(callback);
  },
  async onDirection(callback) {
    session.onDirection = callback;
  },
  async onDeviceLost(callback) {
    onDeviceLost = callback;
  },
  async loseDevice() {
    ortWebgpuDevice()?.destroy();
  },
  listCache: () => listCachedModels(),
  deleteCached: (repo) => (repo === null ? deleteAllCachedModels() : deleteCachedModel(repo)),
  align: (requestId, text, k, lambda) => session.align(requestId, text, k, lambda),
  shift: async (requestId, lambda, k) => session.shift(requestId, lambda, k),
  diff: async (requestId, lambda, k, filtered) => session.diff(requestId, lambda, k, filtered),
  curve: async (requestId, k, bound) => session.curve(requestId, k, bound),
  layers: (requestId, text, k, lambda) => session.layers(requestId, text, k, lambda),

  async analyzeDataset(runId, texts, k, onProgress) {
    try {
      const isCancelled = () => cancelledRuns.has(runId);
      return await outcomeOf(() => analyzeDataset(session.loaded, texts, { k, onProgress, isCancelled }), AnalysisCancelled);
    } finally {
      cancelledRuns.delete(runId);
    }
  },
  async cancelAnalysis(runId) {
    cancelledRuns.add(runId);
  },
  setDirection: async (analysis, computedOn) => session.setDirection(analysis, computedOn),
  sliderDirection: async () => session.sliderDirection,
  async openSpectrum(source, computedOn) {
    const [text, name] = 'url' in source ? [await fetchSpectrumText(source.url), source.url] : [source.text, source.name];
    return session.openSpectrum(text, name, computedOn);
  },
  async contributions(requestId, k, lambda) {
    const states = session.currentStates;
    return states && session.isCurrent(requestId) ? contributions(session.loaded, states, k, lambda) : null;
  },
  charsRead: async (text) => charsRead((t) => session.loaded.tokenize(t), text),
  compareTemplates: (text, templates, k) => compareTemplates(session.loaded, text, templates, k),
  compareTexts: (textA, textB, k) => compareTexts(session.loaded, textA, textB, k),
  ...lazyRetrievalApi(),
};

// WebKitGTK (2.50) evaluates this module a second time when a chunk it loads later imports from it (the
// Retrieval view's, lazyRetrievalApi): that copy, with a session that never loads, must not answer the page
// too, or its "No model pair is loaded yet." may win the race to the reply.
const scope = self as unknown as WorkerGlobalScope & typeof globalThis & { lensWorkerRunning?: true };
if (!scope.lensWorkerRunning) {
  scope.lensWorkerRunning = true;
  // A fault's kind, file and cause reach the page as data, not only its sentence (errorTransfer.ts).
  registerErrorTransfer(reportOf);
  // Every browser call a load waits on is a step the page's watchdog follows (steps.ts); `debug=stall-download`
  // on the page (in this worker's name, state/lensClient.ts) makes the first graph download never settle, to test it.
  watchBrowserSteps(scope, { stall: stalledStep(self.name) });
  Comlink.expose(api);
  // The page sends nothing before this (state/workerStart.ts: a worker that never says it runs is started again).
  self.postMessage(WORKER_READY);
}

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
