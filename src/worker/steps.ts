/// <reference lib="webworker" />
import type { LoadStep } from './protocol';

/**
 * Every step of a load, as the model worker sees it, for the page's load watchdog (state/watchdog.ts).
 *
 * The steps are watched where the browser is asked, not inside the loader: the worker's fetch (each
 * download, until its headers arrive; the bytes after that are reported as FileProgress), the Cache API's
 * open, match and put, IndexedDB's open, WebAssembly compiles and onnxruntime session builds
 * (worker/ortWeb.ts). So any loader code, present or future, is covered, and a browser call that never
 * settles is named on the status line instead of leaving "loading…" without a word.
 */

let nextId = 1;
let queue: LoadStep[] = [];
let flushScheduled = false;
let listener: ((steps: LoadStep[]) => void) | undefined;

/** The page's callback (a Comlink proxy); events are sent in batches, at most every 200 ms. */
export function listenToSteps(callback: (steps: LoadStep[]) => void): void {
  listener = callback;
}

function send(step: LoadStep): void {
  if (!listener) return;
  // Progress events are many (one per chunk): the newest of each step's stands for the rest.
  if (step.event === 'progress' && queue.some((s) => s.id === step.id && s.event === 'progress')) return;
  queue.push(step);
  if (flushScheduled) return;
  flushScheduled = true;
  setTimeout(() => {
    flushScheduled = false;
    const batch = queue;
    queue = [];
    try {
      listener?.(batch);
    } catch {
      // The page went away or restarted the worker: nobody to tell.
    }
  }, 200);
}

/** Begins a step; call the returned functions as it makes progress and when it settles. */
export function beginStep(label: string): { progress(): void; end(): void } {
  const id = nextId++;
  send({ id, event: 'begin', label });
  let ended = false;
  return {
    progress: () => ended || send({ id, event: 'progress', label }),
    end: () => {
      if (ended) return;
      ended = true;
      send({ id, event: 'end', label });
    },
  };
}

/** `promise`, watched as one step. */
export function watchStep<T>(label: string, promise: Promise<T>): Promise<T> {
  const step = beginStep(label);
  return promise.finally(step.end);
}

/** A URL as the status line names it: the last four parts of its path without `resolve/{revision}` ("demo/embed/onnx/model.onnx" reads better than a URL). */
export function fileLabel(url: string): string {
  const path = new URL(url, self.location.href).pathname.split('/').filter(Boolean);
  const resolveAt = path.indexOf('resolve');
  const parts = resolveAt > 0 ? [...path.slice(0, resolveAt), ...path.slice(resolveAt + 2)] : path;
  return parts.slice(-4).join('/');
}

/**
 * Wraps the worker's own fetch, Cache API, IndexedDB and WebAssembly compiles so that each call is a step.
 * `stall`: a test seam (`debug=stall-download` on the page, passed in the worker's name): the first download
 * of an ONNX graph never settles, so the watchdog's message, Cancel and Retry can be tested on every engine.
 */
export function watchBrowserSteps(scope: WorkerGlobalScope & typeof globalThis, options: { stall?: 'download' } = {}): void {
  const fetch = scope.fetch.bind(scope);
  let stalled = false;
  scope.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (options.stall === 'download' && !stalled && /\.onnx(\?|$)/.test(url) && (init?.method ?? 'GET') === 'GET') {
      stalled = true;
      beginStep(`the download of ${fileLabel(url)}`);
      return new Promise<Response>(() => undefined);
    }
    return watchStep(`the server for ${fileLabel(url)}`, fetch(input, init));
  };

  if (typeof scope.caches !== 'undefined') {
    const caches = scope.caches;
    const open = caches.open.bind(caches);
    caches.open = (name) => watchStep("the browser's cache storage", open(name));
    const { match, put } = Cache.prototype;
    Cache.prototype.match = function (this: Cache, ...args: Parameters<Cache['match']>) {
      return watchStep("a read from the browser's cache storage", match.apply(this, args));
    };
    Cache.prototype.put = function (this: Cache, ...args: Parameters<Cache['put']>) {
      return watchStep("a write to the browser's cache storage", put.apply(this, args));
    };
  }

  if (typeof scope.indexedDB !== 'undefined') {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
      const request = open.apply(this, args);
      const step = beginStep(`the browser's IndexedDB (${args[0]})`);
      request.addEventListener('success', step.end);
      request.addEventListener('error', step.end);
      return request;
    };
  }

  const { compile, instantiate, compileStreaming, instantiateStreaming } = WebAssembly;
  const label = 'the WebAssembly compiler';
  WebAssembly.compile = (...args) => watchStep(label, compile(...args));
  WebAssembly.instantiate = ((...args: Parameters<typeof instantiate>) => watchStep(label, instantiate(...args))) as typeof instantiate;
  if (compileStreaming) WebAssembly.compileStreaming = (...args) => watchStep(label, compileStreaming(...args));
  if (instantiateStreaming) WebAssembly.instantiateStreaming = (...args) => watchStep(label, instantiateStreaming(...args));
}
