/// <reference lib="webworker" />
import ortJspiMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jspi.mjs?url';
import ortJspiWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jspi.wasm?url';
import { jspiRefused } from './workerOptions';

/**
 * Whether onnxruntime-web's JSPI build runs the bodies (ortWeb.ts hands it to transformers.js).
 *
 * Where the browser has JSPI (WebAssembly.Suspending: Chromium 137+), the JSPI build reads external data
 * handed to it as a Blob one initializer at a time, so a Hub body's weights go from the browser's disk
 * cache into onnxruntime's heap without ever lying whole in the tab (loadPair.ts LoadOptions.fileBlob; as bytes, a 0.6 GB
 * body is held in JavaScript and in the heap at once while its session is built). Its one wasm runs both
 * the WASM and the WebGPU backends (17 MB, against 14 MB for WASM alone and 27 MB for asyncify WebGPU).
 * Elsewhere, and with `?ort=nojspi` on the page (state/lensClient.ts names the worker after it), the
 * WebGPU bundle transformers.js imports and the builds lens.worker.ts picks.
 */
export const JSPI_BUILD =
  typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function' && !jspiRefused((globalThis as { name?: string }).name ?? '');

export const JSPI_WASM_PATHS = { mjs: ortJspiMjsUrl, wasm: ortJspiWasmUrl };
