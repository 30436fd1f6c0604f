import * as Comlink from 'comlink';
import type { LensWorkerApi } from '../worker/protocol';

let client: Comlink.Remote<LensWorkerApi> | undefined;

/** The page's one model worker, behind its typed Comlink proxy (created on first use). */
export function lensClient(): Comlink.Remote<LensWorkerApi> {
  if (!client) {
    const worker = new Worker(new URL('../worker/lens.worker.ts', import.meta.url), { type: 'module', name: 'lens-models' });
    client = Comlink.wrap<LensWorkerApi>(worker);
  }
  return client;
}

/** Wraps a callback so the worker can call it back across the thread boundary. */
export const proxyCallback = <Args extends unknown[]>(callback: (...args: Args) => void) => Comlink.proxy(callback);

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
