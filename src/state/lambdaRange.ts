/**
 * The λ slider's range: both signs around v₁ (the embedder's mean shift along u₁), at least ±1. A λ from a
 * link or a file is clamped to it, so the base column never shows a λ the slider cannot show.
 */
export function sliderBound(v1: number): number {
  return Math.max(1, Math.ceil(Math.abs(v1) * 2));
}

/** λ kept inside the slider's range for this v₁. */
export function clampLambda(lambda: number, v1: number): number {
  const bound = sliderBound(v1);
  return Math.min(bound, Math.max(-bound, lambda));
}
