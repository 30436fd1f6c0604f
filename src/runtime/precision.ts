import type { HubClient } from './hub';
import { isHubHead, type PairManifest } from '../shared/manifest';
import type { Device } from './device';

export type Precision = 'fp32' | 'fp16';

/** The fp16 export transformers.js loads for `dtype: 'fp16'`. */
export const FP16_FILE = 'onnx/model_fp16.onnx';

/**
 * fp16 bodies only on WebGPU, only when the adapter has `shader-f16` (else the
 * runtime emulates or refuses half floats), and only when both bodies ship an
 * fp16 export. The load-time canary against WASM fp32 still guards the result.
 */
export function choosePrecision(device: Device, shaderF16: boolean, fp16FilesExist: boolean): Precision {
  return device === 'webgpu' && shaderF16 && fp16FilesExist ? 'fp16' : 'fp32';
}

/** Whether both bodies of a pair have an fp16 export (Hub repos by HEAD; local ones through `localExists`). */
export async function hasFp16Bodies(manifest: PairManifest, hub: HubClient, localExists: (path: string) => Promise<boolean>): Promise<boolean> {
  const repos = [...new Set([manifest.embed.model, manifest.base.model])];
  const fromHub = isHubHead(manifest.lmHead);
  const exists = (repo: string) => (fromHub ? hub.exists(repo, FP16_FILE) : localExists(`${repo}/${FP16_FILE}`));
  return (await Promise.all(repos.map(exists))).every(Boolean);
}
