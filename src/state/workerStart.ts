import type { Endpoint } from 'comlink';
import { isWorkerReady } from '../worker/protocol';

/** What a starting worker is doing, for the load watchdog (state/watchdog.ts). */
export type WorkerStartEvent = { kind: 'starting'; attempt: number } | { kind: 'started'; attempt: number; ms: number };

export interface StartedWorker {
  /** Comlink's side of the worker: messages wait until a worker has said it runs, then go to that one. */
  endpoint: Endpoint;
  terminate(): void;
}

/**
 * A module worker started with a handshake: the page sends it nothing until its module has run and said so
 * (lens.worker.ts posts WORKER_READY last). A worker that has not said so within `startMs` gets a twin started
 * beside it, up to `attempts` in all; the first to say it runs is the worker, the others are terminated.
 *
 * Why: in WebKitGTK 2.50, with the page cross-origin isolated, the module worker a page creates while it loads
 * after a same-origin navigation (a reload, a shared link opened in the same tab) never runs its module: no
 * error, no request, and every message the page sends it waits forever ("demo · loading…" for good). A
 * worker created a moment later in the same page runs normally (e2e/engines/contract.spec.ts, second visit).
 * A twin rather than a replacement: on a slow first visit the first worker may simply still be downloading.
 */
export function startWorker(create: () => Worker, options: { startMs: number; attempts: number; onEvent?: (event: WorkerStartEvent) => void }): StartedWorker {
  const listeners: [string, EventListenerOrEventListenerObject, (boolean | AddEventListenerOptions)?][] = [];
  const starting = new Set<Worker>();
  let current: Worker | undefined;
  let stopped = false;
  const began = performance.now();

  const ready = new Promise<Worker>((resolve) => {
    const boot = (attempt: number) => {
      if (stopped || current) return;
      const worker = create();
      starting.add(worker);
      options.onEvent?.({ kind: 'starting', attempt });
      const twin = attempt < options.attempts ? setTimeout(() => boot(attempt + 1), options.startMs) : undefined;
      worker.addEventListener('message', function onMessage(event: MessageEvent) {
        if (!isWorkerReady(event.data)) return;
        worker.removeEventListener('message', onMessage);
        clearTimeout(twin);
        if (current || stopped) return;
        current = worker;
        starting.delete(worker);
        for (const other of starting) other.terminate();
        starting.clear();
        for (const [type, listener, opts] of listeners) worker.addEventListener(type, listener, opts);
        options.onEvent?.({ kind: 'started', attempt, ms: performance.now() - began });
        resolve(worker);
      });
    };
    boot(1);
  });
  return {
    endpoint: {
      // Comlink's messages, in order, to the worker that said it runs (one `then` chain keeps their order).
      postMessage: (message: unknown, transfer?: Transferable[]) => void ready.then((worker) => worker.postMessage(message, transfer ?? [])),
      addEventListener: (type: string, listener: EventListenerOrEventListenerObject, opts?: boolean | AddEventListenerOptions) => {
        listeners.push([type, listener, opts]);
        current?.addEventListener(type, listener, opts);
      },
      removeEventListener: (type: string, listener: EventListenerOrEventListenerObject, opts?: boolean | EventListenerOptions) => {
        const i = listeners.findIndex(([t, l]) => t === type && l === listener);
        if (i >= 0) listeners.splice(i, 1);
        current?.removeEventListener(type, listener, opts);
      },
    },
    terminate() {
      stopped = true;
      current?.terminate();
      for (const worker of starting) worker.terminate();
      starting.clear();
    },
  };
}
