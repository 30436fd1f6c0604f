import { project } from '../core/lmHead';
import { cosine } from '../core/spectral';
import { topK } from '../core/topk';
import type { LensPair } from './pair';

/** A text both backends embed at load; WebGPU must agree with WASM on it. */
export const CANARY_TEXT = 'A woman is slicing an onion in the kitchen.';

export interface CanaryResult {
  ok: boolean;
  /** Cosine of the two backends' embeddings (embedder and base, the lower). */
  cosine: number;
  sameTopIds: boolean;
  reason?: string;
}

/**
 * WebGPU results have been silently wrong in some transformers.js versions
 * (issue #1728, quantized models): compare a canary text on the GPU pair with
 * the same pair on WASM. Cosine ≥ 0.999 and identical top-10 aligned ids pass.
 */
export async function compareBackends(gpu: LensPair, cpu: LensPair, text = CANARY_TEXT): Promise<CanaryResult> {
  const [[a], [b]] = await Promise.all([gpu.encode([text], 1), cpu.encode([text], 1)]);
  const sim = Math.min(cosine(a.embed, b.embed), cosine(a.base, b.base));
  const ids = (h: Float32Array) => Array.from(topK(project(cpu.head, h), 10, cpu.head.validRows).ids).join(',');
  const sameTopIds = ids(a.embed) === ids(b.embed) && ids(a.base) === ids(b.base);
  const ok = sim >= 0.999 && sameTopIds;
  return {
    ok,
    cosine: sim,
    sameTopIds,
    reason: ok ? undefined : `cosine ${sim.toFixed(4)} between WebGPU and WASM embeddings${sameTopIds ? '' : ', different top-10 tokens'}`,
  };
}
