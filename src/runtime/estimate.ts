import type { Dtype } from '../shared/dtypes';
import { isHubHead, type PairManifest } from '../shared/manifest';
import type { HubClient } from './hub';
import { bodyRepos, type PairPlan } from './plan';

/** What a pair will cost before it is downloaded: file sizes and the memory the tab will hold. */
export interface LoadEstimate {
  /** Where the files come from, and which repos (the confirmation names them). */
  hubUrl: string;
  repos: string[];
  dtype: Dtype;
  /** Every dtype both bodies have, with the pair's download size in it (the picker lists these). */
  dtypes: { dtype: Dtype; bytes: number }[];
  /** The files this dtype downloads (bodies with their external data, W's tensor). */
  files: { file: string; bytes: number }[];
  totalBytes: number;
  /**
   * What the tab holds at the peak of the load: both bodies once (a PromptEOL pair's one body once),
   * the largest body file a second time while the runtime copies it in, and W. The WebGPU check adds
   * nothing: its WASM reference is computed before the WebGPU load and kept as two vectors.
   */
  memoryBytes: number;
  /** The browser's hint of device memory (navigator.deviceMemory, GiB → bytes), if any. */
  deviceBytes?: number;
  /** False when the pair likely needs more than half the device's memory (the user is asked first). */
  fits: boolean;
  /** Set when the pair cannot load in this dtype at all (onnxruntime-web's 4 GiB WebAssembly memory). */
  refusal?: string;
}

/** onnxruntime-web's wasm32 heap; the bodies' weights pass through it on both backends. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e8 ? 2 : 1)} GB`;

/** Sizes a Hub pair from its plan (HEAD requests already made) and W's shape in the head repo's config. */
export async function estimatePair(manifest: PairManifest, hub: HubClient, plan: PairPlan, deviceMemoryGiB?: number): Promise<LoadEstimate> {
  const repos = bodyRepos(manifest);
  const files = repos.flatMap((repo) => plan.chosen[repo].files.map((f) => ({ file: `${repo}/${f.file}`, bytes: f.bytes })));
  const bodyBytes = files.reduce((n, f) => n + f.bytes, 0);
  const largestBody = Math.max(0, ...repos.map((r) => plan.chosen[r].bytes));
  let headBytes = 0;
  if (isHubHead(manifest.lmHead)) {
    const repo = manifest.lmHead.hub;
    const config = await hub.json<{ vocab_size?: number; hidden_size?: number; n_embd?: number; torch_dtype?: string }>(repo, 'config.json');
    const width = config.hidden_size ?? config.n_embd ?? 0;
    headBytes = (config.vocab_size ?? 0) * width * (config.torch_dtype === 'float32' ? 4 : 2);
    files.push({ file: `${repo} (LM head tensor)`, bytes: headBytes });
  }
  const dtypes = plan.available.map((dtype) => ({
    dtype,
    bytes: repos.reduce((n, r) => n + (plan.variants[r].find((v) => v.dtype === dtype)?.bytes ?? 0), 0) + headBytes,
  }));
  const totalBytes = bodyBytes + headBytes;
  const memoryBytes = bodyBytes + largestBody + headBytes;
  const deviceBytes = deviceMemoryGiB ? deviceMemoryGiB * 2 ** 30 : undefined;
  let refusal: string | undefined;
  if (bodyBytes > WASM_HEAP_BYTES * 0.9) {
    const smaller = dtypes.filter((d) => d.bytes - headBytes <= WASM_HEAP_BYTES * 0.9).map((d) => `${d.dtype} (${gb(d.bytes)})`);
    refusal = `${repos.join(' + ')} in ${plan.dtype} are ${gb(bodyBytes)} of weights: more than onnxruntime-web's 4 GiB WebAssembly memory holds. ${smaller.length ? `Choose ${smaller.join(' or ')}.` : 'No variant of this pair is small enough for a browser tab.'}`;
  }
  return {
    hubUrl: hub.baseUrl,
    repos: [...new Set([...repos, ...(isHubHead(manifest.lmHead) ? [manifest.lmHead.hub] : [])])],
    dtype: plan.dtype,
    dtypes,
    files,
    totalBytes,
    memoryBytes,
    deviceBytes,
    fits: deviceBytes === undefined || memoryBytes < deviceBytes / 2,
    refusal,
  };
}
