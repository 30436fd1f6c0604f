import { type HubClient, HubError } from './hub';
import { isHubHead, type PairManifest } from '../shared/manifest';

/** What a pair will cost before it is downloaded: file sizes and the memory they need. */
export interface LoadEstimate {
  files: { file: string; bytes: number }[];
  totalBytes: number;
  /** The browser's hint of device memory (navigator.deviceMemory, GiB → bytes), if any. */
  deviceBytes?: number;
  /** False when the pair likely needs more than half the device's memory. */
  fits: boolean;
}

async function size(hub: HubClient, repo: string, file: string): Promise<number | undefined> {
  try {
    const response = await fetch(hub.url(repo, file), { method: 'HEAD' });
    if (response.status === 404) return undefined;
    if (response.status === 401 || response.status === 403) {
      throw new HubError(`${repo} is gated or private (${response.status}): accept its licence on the Hub and sign in, or choose another model.`, 'unauthorized');
    }
    return Number(response.headers.get('Content-Length') ?? 0);
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError(`Could not reach the Hub at ${hub.baseUrl} (offline or unreachable) while sizing ${repo}.`, 'unreachable');
  }
}

/** Sizes a Hub pair's big files with HEAD requests (bodies, external data, W's tensor). */
export async function estimatePair(manifest: PairManifest, hub: HubClient, deviceMemoryGiB?: number): Promise<LoadEstimate> {
  const files: LoadEstimate['files'] = [];
  const repos = [...new Set([manifest.embed.model, manifest.base.model])];
  for (const repo of repos) {
    for (const file of ['onnx/model.onnx', 'onnx/model.onnx_data']) {
      const bytes = await size(hub, repo, file);
      if (bytes !== undefined) files.push({ file: `${repo}/${file}`, bytes });
    }
  }
  if (isHubHead(manifest.lmHead)) {
    const repo = manifest.lmHead.hub;
    const config = await hub.json<{ vocab_size?: number; hidden_size?: number; n_embd?: number; torch_dtype?: string }>(repo, 'config.json');
    const width = config.hidden_size ?? config.n_embd ?? 0;
    const bytesPer = config.torch_dtype === 'float32' ? 4 : 2;
    files.push({ file: `${repo} (LM head tensor)`, bytes: (config.vocab_size ?? 0) * width * bytesPer });
  }
  const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const deviceBytes = deviceMemoryGiB ? deviceMemoryGiB * 2 ** 30 : undefined;
  // Bodies are inflated once in the runtime and W is held once: ~1.5× the download in memory.
  return { files, totalBytes, deviceBytes, fits: deviceBytes === undefined || totalBytes * 1.5 < deviceBytes / 2 };
}
