import * as Comlink from 'comlink';
import type { LensWorkerApi } from '../worker/protocol';

let client: Comlink.Remote<LensWorkerApi> | undefined;
let worker: Worker | undefined;

/** The page's one model worker, behind its typed Comlink proxy (created on first use). */
export function lensClient(): Comlink.Remote<LensWorkerApi> {
  if (!client) {
    worker = new Worker(new URL('../worker/lens.worker.ts', import.meta.url), { type: 'module', name: workerName() });
    client = Comlink.wrap<LensWorkerApi>(worker);
  }
  return client;
}

/**
 * The worker's name carries the one start-up option it cannot read from its own URL: `?ort=nojspi` on the
 * page keeps onnxruntime-web off its JSPI build (worker/ortRuntime.ts), for a browser where it misbehaves.
 */
function workerName(): string {
  return new URLSearchParams(globalThis.location?.search ?? '').get('ort') === 'nojspi' ? 'lens-models ort=nojspi' : 'lens-models';
}

/**
 * Stops the worker outright (the only way to abort transformers.js downloads)
 * and starts a fresh one; the page's own state is untouched.
 */
export function restartLensClient(): void {
  client?.[Comlink.releaseProxy]();
  worker?.terminate();
  client = undefined;
  worker = undefined;
}

/** Wraps a callback so the worker can call it back across the thread boundary. */
export const proxyCallback = <Args extends unknown[]>(callback: (...args: Args) => void) => Comlink.proxy(callback);

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
