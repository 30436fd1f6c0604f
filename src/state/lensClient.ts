import * as Comlink from 'comlink';
import type { LensWorkerApi } from '../worker/protocol';

let client: Comlink.Remote<LensWorkerApi> | undefined;
let worker: Worker | undefined;

/** The page's one model worker, behind its typed Comlink proxy (created on first use). */
export function lensClient(): Comlink.Remote<LensWorkerApi> {
  if (!client) {
    worker = new Worker(new URL('../worker/lens.worker.ts', import.meta.url), { type: 'module', name: 'lens-models' });
    client = Comlink.wrap<LensWorkerApi>(worker);
  }
  return client;
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
