import * as Comlink from 'comlink';
import { workerNameFor } from '../shared/linkSchema';
import type { LensWorkerApi } from '../worker/protocol';
import { registerErrorTransfer } from '../worker/protocol';
import { type StartedWorker, startWorker, type WorkerStartEvent } from './workerStart';

// The worker's rejections arrive as WorkerErrors that carry their fault's kind (errorTransfer.ts).
registerErrorTransfer();

let client: Comlink.Remote<LensWorkerApi> | undefined;
let worker: StartedWorker | undefined;
let startListener: ((event: WorkerStartEvent) => void) | undefined;

/** A worker that has not said it runs after this long gets a twin (workerStart.ts), up to this many workers in all. */
const WORKER_START_MS = 2_000;
const WORKER_START_ATTEMPTS = 4;

/** The page's one model worker, behind its typed Comlink proxy (created on first use). */
export function lensClient(): Comlink.Remote<LensWorkerApi> {
  if (!client) {
    // The worker's name carries the start-up options it cannot read from its own URL (`?ort=nojspi`, `?threads=N`, …:
    // shared/linkSchema.ts WORKER_KEYS; worker/workerOptions.ts reads them back).
    const name = () => workerNameFor(globalThis.location?.search ?? '');
    worker = startWorker(() => new Worker(new URL('../worker/lens.worker.ts', import.meta.url), { type: 'module', name: name() }), {
      startMs: WORKER_START_MS,
      attempts: WORKER_START_ATTEMPTS,
      onEvent: (event) => startListener?.(event),
    });
    client = Comlink.wrap<LensWorkerApi>(worker.endpoint);
  }
  return client;
}

/** Hears the model worker's start (the load watchdog, watchdog.ts). */
export function onWorkerStart(listener: (event: WorkerStartEvent) => void): void {
  startListener = listener;
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
