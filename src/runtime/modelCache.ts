import { clear, createStore, del, entries, get, keys, set, type UseStore } from 'idb-keyval';
import type { Dtype } from '../shared/dtypes';
import type { PairManifest } from '../shared/manifest';
import type { CanaryReference } from './canary';
import type { SpectrumFile, SpectrumStore } from './direction';
import { Fault } from './faults';
import type { HubLmHead } from './hub';
import type { Fetch } from './resilientFetch';

/**
 * What the browser keeps between visits: model files in the Cache API
 * ("transformers-cache", written by cachingFetch as downloads stream in); the LM head W, read with Range requests,
 * cannot go there (the Cache API refuses 206 responses), so it lives in IndexedDB.
 */
export interface CachedModel {
  /** Hub repo (or local path) the files belong to. */
  repo: string;
  bytes: number;
  files: number;
  kind: 'model files' | 'LM head' | 'PC1 direction';
}

const TRANSFORMERS_CACHE = 'transformers-cache';
let store: UseStore | undefined;
const heads = () => {
  store ??= createStore('embedding-lens', 'lm-heads');
  return store;
};

const headKey = (hubUrl: string, repo: string) => `${hubUrl}|${repo}`;

let spectrumStore: UseStore | undefined;
const spectra = () => {
  spectrumStore ??= createStore('embedding-lens-spectra', 'spectra');
  return spectrumStore;
};

/** The repos a key names: canary and spectrum keys are `hubUrl|embed|base|…`. */
const reposOfKey = (key: unknown) => String(key).split('|').slice(1, 3);

/** A pair's sample spectrum kept between visits (direction.ts SpectrumStore), by direction.ts spectrumKey. */
export const keptSpectra: SpectrumStore = {
  get: (key) => get<SpectrumFile>(key, spectra()),
  put: (key, file) => set(key, file, spectra()),
};

let canaryStore: UseStore | undefined;
const canaries = () => {
  canaryStore ??= createStore('embedding-lens-canary', 'references');
  return canaryStore;
};

/** A canary reference belongs to the bodies, the dtype and how the states are pooled. */
export function canaryKey(hubUrl: string, manifest: PairManifest, dtype: Dtype): string {
  return [hubUrl, manifest.embed.model, manifest.base.model, dtype, manifest.embed.pooling, manifest.base.pooling, manifest.embed.template].join('|');
}

export const getCanaryReference = (key: string) => get<CanaryReference>(key, canaries()).catch(() => undefined);

export const putCanaryReference = (key: string, reference: CanaryReference) => set(key, reference, canaries()).catch(() => undefined);

export async function getCachedHead(hubUrl: string, repo: string): Promise<HubLmHead | undefined> {
  const value = await get<HubLmHead & { data: ArrayBuffer; wordBytes: 2 | 4 }>(headKey(hubUrl, repo), heads());
  if (!value) return undefined;
  return { ...value, data: value.wordBytes === 4 ? new Float32Array(value.data) : new Uint16Array(value.data) };
}

export async function putCachedHead(hubUrl: string, repo: string, head: HubLmHead): Promise<void> {
  // IndexedDB clones the whole buffer behind a view: copy out only a view of part of a buffer (0.3 GB for Qwen3).
  const whole = head.data.byteOffset === 0 && head.data.byteLength === head.data.buffer.byteLength;
  const data = whole ? head.data.buffer : head.data.buffer.slice(head.data.byteOffset, head.data.byteOffset + head.data.byteLength);
  await set(headKey(hubUrl, repo), { ...head, data, wordBytes: head.data.BYTES_PER_ELEMENT }, heads());
}

/** Every cached model, grouped by repo, with sizes. */
export async function listCachedModels(): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  if (typeof caches !== 'undefined') {
    const cache = await caches.open(TRANSFORMERS_CACHE);
    const byRepo = new Map<string, CachedModel>();
    for (const request of await cache.keys()) {
      const repo = repoOf(request.url);
      const response = await cache.match(request);
      const bytes = Number(response?.headers.get('Content-Length') ?? 0) || (await response?.clone().arrayBuffer())?.byteLength || 0;
      const entry = byRepo.get(repo) ?? { repo, bytes: 0, files: 0, kind: 'model files' as const };
      entry.bytes += bytes;
      entry.files += 1;
      byRepo.set(repo, entry);
    }
    out.push(...byRepo.values());
  }
  for (const [key, value] of await entries<string, { data: ArrayBuffer }>(heads())) {
    out.push({ repo: String(key).split('|')[1], bytes: value.data.byteLength, files: 1, kind: 'LM head' });
  }
  // A pair's direction is listed under its embedder; deleting either repo deletes it.
  for (const [key, value] of await entries<string, SpectrumFile>(spectra())) {
    out.push({ repo: reposOfKey(key)[0], bytes: JSON.stringify(value).length, files: 1, kind: 'PC1 direction' });
  }
  return out.sort((a, b) => a.repo.localeCompare(b.repo) || a.kind.localeCompare(b.kind));
}

export async function deleteCachedModel(repo: string): Promise<void> {
  if (typeof caches !== 'undefined') {
    const cache = await caches.open(TRANSFORMERS_CACHE);
    for (const request of await cache.keys()) if (repoOf(request.url) === repo) await cache.delete(request);
  }
  for (const key of await keys<string>(heads())) {
    if (String(key).split('|')[1] === repo) await del(key, heads());
  }
  for (const store of [canaries(), spectra()]) {
    for (const key of await keys<string>(store)) if (reposOfKey(key).includes(repo)) await del(key, store);
  }
}

/** Cache writes still streaming: forgetting a download waits for its write to end first. */
const pendingWrites = new Set<Promise<unknown>>();

/**
 * The browser's model cache as a fetch (transformers.js' own is turned off in the worker). transformers.js
 * reads a download into one buffer and then gives that buffer to the Cache API, which copies it once more:
 * for a 0.7 GB body that is 0.7 GB more in the tab while it loads. Here a download is written to the cache
 * as it streams past (its body teed), and a later visit is answered from the cache as a stream. Only Hub
 * files (`…/resolve/…`) are kept; a download that fails part-way is not stored.
 */
export function cachingFetch(inner: Fetch): Fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.toString();
    const method = (init?.method ?? 'GET').toUpperCase();
    if (
      typeof caches === 'undefined' ||
      method !== 'GET' ||
      new Headers(init?.headers).has('Range') ||
      !new URL(url, 'http://x').pathname.includes('/resolve/')
    ) {
      return inner(input, init);
    }
    const cache = await caches.open(TRANSFORMERS_CACHE);
    const hit = await cache.match(url).catch(() => undefined);
    if (hit) return hit;
    const response = await inner(input, init);
    if (response.status !== 200 || !response.body) return response;
    const [toCache, toCaller] = response.body.tee();
    const write = cache.put(url, new Response(toCache, { status: 200, headers: response.headers })).catch(() => undefined); // a full disk only costs the next visit a download
    pendingWrites.add(write);
    void write.finally(() => pendingWrites.delete(write));
    return new Response(toCaller, { status: 200, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Set once the Cache API refused a model file: a private window keeps the cache in memory and refuses files
 * of the size of a body (Chromium 156: 0.6 GB). From then on cachedBlob answers undefined before downloading.
 */
let cacheRefusedFile = false;

/**
 * `url` as a Blob the browser keeps on disk, for onnxruntime-web's JSPI build to read one initializer at
 * a time (worker/ortRuntime.ts): a body's external data then never lies whole in the tab. Read from the
 * cache, or downloaded with `inner` straight into it (the download is the cache write's only reader, so
 * it goes at the pace of the disk and nothing piles up in the page). A download that fails part-way
 * rejects with its own error and leaves nothing cached. undefined where there is no Cache API or it did
 * not keep the file (a full disk): the caller then hands onnxruntime the bytes as before.
 */
export async function cachedBlob(
  url: string,
  inner: Fetch,
  onBytes?: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Blob | undefined> {
  if (typeof caches === 'undefined') return undefined;
  const cache = await caches.open(TRANSFORMERS_CACHE);
  const hit = await cache.match(url).catch(() => undefined);
  if (hit) return hit.blob();
  if (cacheRefusedFile) return undefined;
  const response = await inner(url, signal ? { signal } : undefined);
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new Fault('server', { url, status: response.status, statusText: response.statusText });
  }
  const total = Number(response.headers.get('Content-Length')) || 0;
  const reader = response.body.getReader();
  let failure: unknown;
  let loaded = 0;
  const watched = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          loaded += value.byteLength;
          onBytes?.(loaded, total);
          controller.enqueue(value);
        } catch (error) {
          failure = error;
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const write = cache.put(url, new Response(watched, { status: 200, headers: response.headers }));
  pendingWrites.add(write);
  try {
    await write;
  } catch {
    if (failure !== undefined) throw failure;
    // The cache refused the file, not the network. It stopped reading part-way, and the file is fetched again
    // as bytes; later files skip the cache at once.
    cacheRefusedFile = true;
    return undefined;
  } finally {
    pendingWrites.delete(write);
  }
  const stored = await cache.match(url).catch(() => undefined);
  return stored?.blob();
}

/** Removes these downloads (by URL, the cache key) from the browser's model cache. */
export async function forgetDownloads(urls: string[]): Promise<void> {
  if (typeof caches === 'undefined') return;
  await Promise.allSettled([...pendingWrites]);
  const cache = await caches.open(TRANSFORMERS_CACHE);
  await Promise.all(urls.map((url) => cache.delete(url)));
}

export async function deleteAllCachedModels(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(TRANSFORMERS_CACHE);
  await clear(heads());
  await clear(canaries());
  await clear(spectra());
}

/** `https://hub/org/name/resolve/main/file` → `org/name`; a local `/models/org/name/file` → `org/name`. */
function repoOf(url: string): string {
  const path = new URL(url).pathname.replace(/^\/models\//, '/');
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, 2).join('/');
}
