/**
 * Node-side set-up for the same runtime the browser uses (CLI, tests, benches):
 * transformers.js reads pairs from the local models/ folder, never the network.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { env } from '@huggingface/transformers';
import type { BinaryReader } from '../shared/files';
import { hiddenStateFetch } from './hiddenStateFetch';

export const DEFAULT_MODEL_ROOT = resolve(import.meta.dirname, '..', '..', 'models');

/**
 * Lets transformers.js fetch model files from a Hub (or a local stand-in) too,
 * after looking in the local model root; downloads are cached under .cache/hub.
 */
export function allowHub(hubUrl: string): void {
  env.allowRemoteModels = true;
  env.remoteHost = hubUrl.endsWith('/') ? hubUrl : `${hubUrl}/`;
  env.cacheDir = resolve(import.meta.dirname, '..', '..', '.cache', 'hub', encodeURIComponent(hubUrl));
  // Logits-only causal-LM exports gain a last_hidden_state output as they download.
  env.fetch = hiddenStateFetch((input, init) => fetch(input, init));
}

export function localModelReader(root = DEFAULT_MODEL_ROOT): BinaryReader {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = root.endsWith('/') ? root : `${root}/`;
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
