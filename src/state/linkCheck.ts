import { DTYPES, type Dtype } from '../worker/protocol';
import { clampLambda, sliderBound } from './lambdaRange';
import { DEFAULT_VIEW, K_CHOICES, VIEWS, type ViewId } from './urlState';

/**
 * A URL longer than this is refused by many servers and proxies (HTTP 414 / 431; nginx's default header
 * buffer is 8 KB): a view whose link would be longer is offered as a state file instead.
 */
export const SAFE_URL_LENGTH = 8_000;

/**
 * What readViewState (urlState.ts) put right in a link, in words: each value it could not use and what it
 * used instead. λ beyond the slider is checked once v₁ is known (lambdaCorrection).
 */
export function linkCorrections(search: string): string[] {
  const params = new URLSearchParams(search);
  const out: string[] = [];
  const view = params.get('view');
  if (view !== null && !VIEWS.includes(view as ViewId)) out.push(`view=${view} is not a view of this app: the Explorer is shown.`);
  const k = params.get('k');
  if (k !== null && !(K_CHOICES as readonly number[]).includes(Number(k)))
    out.push(`k=${k} is not one of ${K_CHOICES.join(', ')}: the top ${DEFAULT_VIEW.k} are shown.`);
  const lambda = params.get('lambda');
  if (lambda !== null && !Number.isFinite(Number(lambda))) out.push(`lambda=${lambda} is not a number: λ = 0.`);
  const backend = params.get('backend');
  if (backend !== null && !['auto', 'wasm', 'webgpu'].includes(backend)) out.push(`backend=${backend} is not auto, wasm or webgpu: auto is used.`);
  const dtype = params.get('dtype');
  if (dtype && !DTYPES.includes(dtype as Dtype)) out.push(`dtype=${dtype} is not one of ${DTYPES.join(', ')}: the backend's choice is used.`);
  return out;
}

/** λ put back inside the slider's range for v₁, and the words saying so; undefined when λ is inside. */
export function lambdaCorrection(lambda: number, v1: number): { lambda: number; message: string } | undefined {
  const clamped = clampLambda(lambda, v1);
  if (clamped === lambda) return undefined;
  const bound = sliderBound(v1);
  return { lambda: clamped, message: `λ = ${lambda} is outside the slider's range (−${bound} to ${bound}): set to ${clamped}.` };
}
