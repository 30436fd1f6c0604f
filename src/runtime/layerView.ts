/**
 * The layer view at a λ (docs/design.md §1.9), from projections made once: every W·h of the text's layers
 * once per text, every layer's W·u₁⁽ℓ⁾ once per load and direction. A λ change then costs, per layer, one
 * scaled add z₀⁽ℓ⁾ + λ_ℓ·W·u₁⁽ℓ⁾ and a partial top-k: never a projection through W (V × d per layer).
 *
 * The base at layer ℓ moves along that layer's own PC1 u₁⁽ℓ⁾ by λ_ℓ = (λ / v₁) · v₁⁽ℓ⁾: the slider's place as
 * a share of v₁ (the slider's own, wire.ts directionV1, whichever source gave it), at each layer's own v₁. The
 * deepest layer moves along the slider's own u₁ by λ itself, so its row equals the explorer's columns.
 */
import { shiftScores } from '../core/topk';
import type { ColumnResult, LayerRow } from '../shared/wire';

/** A text's layers through W, shallow to deep, and the embedder's columns (they do not move with λ). */
export interface ProjectedText {
  /** W·pool(norm(x_ℓ)) of the base model, per layer. */
  zBase: Float32Array[];
  embedColumns: ColumnResult[];
}

/** Per layer below the deepest: W·u₁⁽ℓ⁾ and v₁⁽ℓ⁾ of the pair's sample. */
export interface LayerDirections {
  zu: Float32Array[];
  v1: number[];
}

/** The slider's own direction, for the deepest layer: W·u₁ and its v₁ (the one the slider and the λ curve use). */
export interface SliderDirection {
  zu: Float32Array;
  v1: number;
}

/**
 * Every layer's row at λ. `directions` may be undefined only at λ = 0 (nothing moves); `column` ranks one
 * score vector (the session's aligned view); `scratch` is reused by every layer (a column copies what it keeps).
 */
export function layerRowsAt(
  text: ProjectedText,
  lambda: number,
  slider: SliderDirection | undefined,
  directions: LayerDirections | undefined,
  column: (z: Float32Array) => ColumnResult,
  contentHit: (column: ColumnResult) => number | null,
  scratch?: Float32Array,
): LayerRow[] {
  const layers = text.zBase.length;
  return text.zBase.map((z0, l) => {
    const deepest = l === layers - 1;
    let lambdaL = 0;
    let z = z0;
    if (lambda !== 0 && slider) {
      if (!deepest && !directions) throw new Error('This pair has no sample to estimate each layer’s PC1 from.');
      lambdaL = deepest ? lambda : slider.v1 !== 0 ? (lambda / slider.v1) * directions!.v1[l] : 0;
      z = shiftScores(z0, deepest ? slider.zu : directions!.zu[l], lambdaL, scratch);
    }
    const embed = text.embedColumns[l];
    const base = column(z);
    return { layer: l + 1, embed, base, contentHit: { embed: contentHit(embed), base: contentHit(base) }, lambda: lambdaL };
  });
}
