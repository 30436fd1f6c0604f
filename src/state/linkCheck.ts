import { clampLambda, sliderBound } from './lambdaRange';

/**
 * The page's checks of its link beyond one parameter's value (those are shared/linkSchema.ts's): how long a
 * link may be, and a λ against the slider's range, known only once v₁ is.
 *
 * A URL longer than this is refused by many servers and proxies (HTTP 414 / 431; nginx's default header
 * buffer is 8 KB): a view whose link would be longer is offered as a state file instead.
 */
export const SAFE_URL_LENGTH = 8_000;

/** λ put back inside the slider's range for v₁, and the words saying so; undefined when λ is inside. */
export function lambdaCorrection(lambda: number, v1: number): { lambda: number; message: string } | undefined {
  const clamped = clampLambda(lambda, v1);
  if (clamped === lambda) return undefined;
  const bound = sliderBound(v1);
  return { lambda: clamped, message: `λ = ${lambda} is outside the slider's range (−${bound} to ${bound}): set to ${clamped}.` };
}
