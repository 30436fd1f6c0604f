import { hitAtK } from './metrics';
import { shiftScores, topK } from './topk';

/**
 * How the base model's ranking moves toward the embedder's as λ grows (paper §4.2: h + λu₁ with λ = v₁
 * recovers the key tokens): for each λ, content Hit@k of W(h + λu₁) = z₀ + λ·Wu₁ and its top-k overlap with
 * the embedder's top-k. Only scaled adds and rankings over the held z vectors: no model run, no projection.
 */
export interface CurvePoint {
  lambda: number;
  /** Hit@k over the text's content tokens; null when the text has none. */
  contentHit: number | null;
  /** |top-k(base at λ) ∩ top-k(embedder)| / k. */
  overlap: number;
}

export interface CurveInputs {
  /** The base's scores at λ = 0, W·h. */
  z0: Float32Array;
  /** W·u₁. */
  zu: Float32Array;
  /** The embedder's scores, W·ĥ. */
  zEmbed: Float32Array;
  validRows: number;
  /** The text's unique content token ids. */
  contentIds: readonly number[];
  k: number;
}

/** `steps + 1` evenly spaced λ from -bound to bound. */
export function lambdaGrid(bound: number, steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, i) => -bound + (2 * bound * i) / steps);
}

export function lambdaCurve(inputs: CurveInputs, lambdas: readonly number[], scratch: Float32Array = new Float32Array(inputs.z0.length)): CurvePoint[] {
  const { z0, zu, zEmbed, validRows, contentIds, k } = inputs;
  const embedTop = new Set(topK(zEmbed, k, validRows).ids);
  return lambdas.map((lambda) => {
    const top = topK(shiftScores(z0, zu, lambda, scratch), k, validRows).ids;
    let shared = 0;
    for (const id of top) if (embedTop.has(id)) shared++;
    return { lambda, contentHit: contentIds.length ? hitAtK(top, contentIds, k) : null, overlap: top.length ? shared / top.length : 0 };
  });
}
