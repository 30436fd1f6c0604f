import { project } from '../core/lmHead';
import { cosine } from '../core/spectral';
import { topK } from '../core/topk';
import type { CanaryResult } from '../shared/wire';
import type { LensPair } from './pair';

/** A text both backends embed at load; WebGPU must agree with WASM on it. */
export const CANARY_TEXT = 'A woman is slicing an onion in the kitchen.';

/** The pair's pooled states for the canary text on WASM: a few KB, stored so a pair is checked without a second copy of it. */
export interface CanaryReference {
  embed: number[];
  base: number[];
}

export async function canaryReference(pair: LensPair, text = CANARY_TEXT): Promise<CanaryReference> {
  const [encoded] = await pair.encode([text], 1);
  return { embed: Array.from(encoded.embed), base: Array.from(encoded.base) };
}

/**
 * WebGPU results have been silently wrong in some transformers.js versions
 * (issue #1728, quantized models): the WebGPU pair's canary states must match the
 * WASM reference. Cosine ≥ 0.999 and identical top-10 aligned ids pass.
 * `distort` flips every other coordinate of the GPU side's embedding: a test seam for the fallback.
 */
export async function checkCanary(gpu: LensPair, reference: CanaryReference, distort = false, text = CANARY_TEXT): Promise<CanaryResult> {
  const [encoded] = await gpu.encode([text], 1);
  const embed = distort ? encoded.embed.map((x, j) => (j % 2 ? -x : x)) : encoded.embed;
  const wasm = { embed: Float32Array.from(reference.embed), base: Float32Array.from(reference.base) };
  if (wasm.embed.length !== embed.length || wasm.base.length !== encoded.base.length) {
    return { ok: false, cosine: 0, sameTopIds: false, reason: 'the stored WASM reference has another width' };
  }
  const sim = Math.min(cosine(embed, wasm.embed), cosine(encoded.base, wasm.base));
  const ids = (h: Float32Array) => Array.from(topK(project(gpu.head, h), 10, gpu.head.validRows).ids).join(',');
  const sameTopIds = ids(embed) === ids(wasm.embed) && ids(encoded.base) === ids(wasm.base);
  const ok = sim >= 0.999 && sameTopIds;
  return {
    ok,
    cosine: sim,
    sameTopIds,
    reason: ok ? undefined : `cosine ${sim.toFixed(4)} between WebGPU and WASM embeddings${sameTopIds ? '' : ', different top-10 tokens'}`,
  };
}
