/**
 * Node-side set-up for the same runtime the browser uses (CLI, tests, benches):
 * transformers.js reads pairs from the local models/ folder, never the network.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { textsFingerprint } from '../core/hash';
import type { BinaryReader } from '../shared/files';
import type { SpectrumStore } from './direction';
import { DownloadLog } from './downloadLog';
import { hiddenStateFetch } from './hiddenStateFetch';
import { resilientFetch } from './resilientFetch';
import { fetchModelFilesWith, readShippedPairsFrom } from './transformersEnv';

export const DEFAULT_MODEL_ROOT = resolve(import.meta.dirname, '..', '..', 'models');

/** Where a Hub's downloads are kept when the caller names no folder: `.cache/hub/<hub>`. */
export const defaultHubCacheDir = (hubUrl: string) => resolve(import.meta.dirname, '..', '..', '.cache', 'hub', encodeURIComponent(hubUrl));

/**
 * Lets transformers.js fetch model files from a Hub (or a local stand-in) too: each Hub pair's load then reads
 * its files from its own Hub (loadPair.ts), and downloads are cached under .cache/hub (or `cacheDir`). Returns
 * the log of what a load downloads, so a failed load can remove its files from that folder.
 */
export function allowHub(hubUrl: string, cacheDir = defaultHubCacheDir(hubUrl)): DownloadLog {
  // transformers.js keys its file cache by `{repo}/{file}` under cacheDir.
  const downloads = new DownloadLog(async (urls) => {
    for (const url of urls) {
      const hubPath = /\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(new URL(url).pathname);
      if (hubPath) await rm(join(cacheDir, decodeURIComponent(hubPath[1]), decodeURIComponent(hubPath[2])), { force: true });
    }
  });
  // 429/5xx retried, cut-off and mislabelled files refused (resilientFetch); logits-only causal-LM
  // exports gain a last_hidden_state output as they download (hiddenStateFetch).
  fetchModelFilesWith(hiddenStateFetch(resilientFetch((input, init) => fetch(input, init), { onDownloaded: downloads.record })), { cacheDir });
  return downloads;
}

/**
 * Pair spectra kept between runs in the Hub cache folder (direction.ts SpectrumStore), one JSON file per key
 * under `<cacheDir>/embedding-lens-spectra/`: deleting the cache folder deletes them with the models.
 */
export function cachedSpectra(cacheDir: string): SpectrumStore {
  const dir = join(cacheDir, 'embedding-lens-spectra');
  const path = (key: string) => join(dir, `${textsFingerprint([key])}.json`);
  return {
    async get(key) {
      const stored = await readFile(path(key), 'utf8').then(JSON.parse, () => undefined);
      return stored?.key === key ? stored.spectrum : undefined;
    },
    async put(key, spectrum) {
      await mkdir(dir, { recursive: true });
      await writeFile(path(key), JSON.stringify({ key, spectrum }));
    },
  };
}

/** Reads files under the model root, where transformers.js then reads shipped pairs too. */
export function localModelReader(root = DEFAULT_MODEL_ROOT): BinaryReader {
  readShippedPairsFrom(root);
  return async (path, onProgress) => {
    const file = join(root, path);
    const size = await stat(file).then(
      (s) => s.size,
      () => {
        throw new Error(`${path}: no such file under ${root}`);
      },
    );
    const bytes = await readFile(file);
    onProgress?.({ file: path, loaded: size, total: size, done: true });
    // A file this size has its own ArrayBuffer: hand it over rather than copy it (an LM head is ~0.3–0.6 GB).
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };
}
