/**
 * The only writer of transformers.js' global `env` (and of onnxruntime's settings inside it). It is one
 * object per process, so who writes it and when is kept to three moments:
 *
 *   the process starts ─► readShippedPairsFrom, fetchModelFilesWith   where shipped pairs are, the fetch
 *                         every file goes through, where downloads are kept (the worker; node.ts in Node)
 *   the first load     ─► setOrtWasm          onnxruntime-web's wasm build and threads (the worker chooses)
 *   each load          ─► readPairFilesFrom   a shipped pair's files from the model root alone, a Hub
 *                         pair's from its load's Hub alone (loadPair.ts)
 *
 * Questions asked before a load (resolveLoad.ts: the plan, the estimate, the files) write nothing: a Hub
 * URL asked about is not the Hub the loaded pair came from.
 */
import { env } from '@huggingface/transformers';
import type { Fetch } from './resilientFetch';

/**
 * Once per process: where transformers.js reads the pairs shipped with the app (a folder in Node, the app's
 * models/ URL in the browser). Until a load says otherwise (readPairFilesFrom), files come from there only.
 */
export function readShippedPairsFrom(modelRoot: string): void {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = withSlash(modelRoot);
}

/**
 * Once per process: the fetch transformers.js downloads every file with (retries, refusals, graph edits: the
 * caller's chain), and where downloads are kept. In Node, transformers.js' file cache in `cacheDir`. In the
 * browser, the app's fetch keeps files itself (modelCache.ts cachingFetch), and onnxruntime compiles its wasm
 * by streaming from its URL, which Chromium keeps compiled between visits (transformers.js' own wasm cache
 * hands onnxruntime an ArrayBuffer, compiled anew each time): transformers.js' own caches are off.
 */
export function fetchModelFilesWith(fetch: Fetch, keep: { cacheDir: string } | 'app caches'): void {
  env.fetch = fetch;
  if (keep === 'app caches') {
    env.useBrowserCache = false;
    env.useWasmCache = false;
  } else {
    env.cacheDir = keep.cacheDir;
  }
}

/** onnxruntime-web's wasm build (its .mjs and .wasm URLs) and thread count; nothing where this runtime has no wasm backend (Node). */
export function setOrtWasm(wasmPaths: { mjs: string; wasm: string }, numThreads: number): void {
  const onnxWasm = env.backends.onnx.wasm;
  if (!onnxWasm) return;
  onnxWasm.wasmPaths = { ...wasmPaths };
  onnxWasm.numThreads = numThreads;
}

/**
 * Per load: where the pair's files come from (LoadPolicy.localFiles says which). A Hub pair's come from its
 * load's Hub alone, never first asked of the model root; a shipped pair's from the model root alone.
 */
export function readPairFilesFrom(source: 'model root' | { hubUrl: string }): void {
  env.allowLocalModels = source === 'model root';
  env.allowRemoteModels = source !== 'model root';
  if (source !== 'model root') env.remoteHost = withSlash(source.hubUrl);
}

/** The WebGPU device onnxruntime-web runs on, once a WebGPU session exists (read only: its loss is watched, a test seam destroys it). */
export function ortWebgpuDevice(): { lost: Promise<{ reason?: string; message?: string }>; destroy(): void } | undefined {
  return (env.backends.onnx as { webgpu?: { device?: ReturnType<typeof ortWebgpuDevice> } }).webgpu?.device;
}

const withSlash = (path: string) => (path.endsWith('/') ? path : `${path}/`);
