import * as Comlink from 'comlink';
import type { LensWorkerApi } from '../worker/protocol';

/** The one model worker of the page, behind its typed Comlink proxy. */
export function createLensClient(): Comlink.Remote<LensWorkerApi> {
  const worker = new Worker(new URL('../worker/lens.worker.ts', import.meta.url), { type: 'module', name: 'lens-models' });
  return Comlink.wrap<LensWorkerApi>(worker);
}

export const proxyCallback = <T extends (...args: any[]) => void>(callback: T) => Comlink.proxy(callback);
