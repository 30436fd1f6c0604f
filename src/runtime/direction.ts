/**
 * The slider's direction: where u₁ comes from, and the one value the explorer moves along.
 *
 * The paper's §4: the embedder's change from its base model lies mainly along u₁, the first principal
 * direction of the base model's pooled states (uncentered), and base + λ·u₁ makes the key tokens appear;
 * v₁, the mean embed − base shift along u₁, marks on the slider where the embedder sits
 * (docs/design.md, "The PC1 direction").
 *
 * A Direction has one of three sources:
 * - 'shipped': the pair ships the spectrum of its sample (`lens spectrum` wrote spectrum.json);
 * - 'sample': the pair ships only the sample, embedded after the pair is shown (sampleSpectrum, in the
 *   background, behind the page's requests); an early estimate from the first texts moves the slider
 *   before the whole sample is in;
 * - 'analysis': the user applied the u₁ of a dataset analysis; it outranks the sample's, even one that
 *   arrives later.
 * A Direction is replaced as a whole, never edited: u₁ and W·u₁ always belong together.
 */
import { batchesOf } from '../core/batches';
import { type LmHead, project } from '../core/lmHead';
import { type Spectrum, spectrumOf } from '../core/spectral';
import type { EncodedText, LensPair, RunOptions } from './pair';

export type DirectionSource = 'shipped' | 'sample' | 'analysis';

export interface Direction {
  source: DirectionSource;
  /** u₁, unit length, in the base model's hidden space. */
  u1: Float64Array;
  /** W·u₁: a slider tick adds λ·zu to the base's logits z0 = W·h (core/topk.ts shiftScores), never a new W·h. */
  zu: Float32Array;
  /** v_1..v_n of the spectrum u₁ came from (for an analysis's u₁: those of the direction it replaced). */
  variation: number[];
  shares: number[];
  sampleSize: number;
}

/** The direction of a spectrum's u₁ for this W. */
export function directionFromSpectrum(head: LmHead, spectrum: Spectrum, source: 'shipped' | 'sample'): Direction {
  const u1 = spectrum.vectors[0];
  return { source, u1, zu: project(head, u1), variation: spectrum.variation, shares: spectrum.shares, sampleSize: spectrum.sampleSize };
}

/** A u₁ applied from an analysis: the v_j and shares shown stay those of the direction it replaces. */
export function directionFromAnalysis(head: LmHead, u1: ArrayLike<number>, replaced: Direction | undefined): Direction {
  const vector = Float64Array.from(u1);
  return {
    source: 'analysis',
    u1: vector,
    zu: project(head, vector),
    variation: replaced?.variation ?? [],
    shares: replaced?.shares ?? [],
    sampleSize: replaced?.sampleSize ?? 0,
  };
}

/** Texts per model run for a sample embedded in the background: one, since a run blocks the worker and the page's next message waits for it. */
const BACKGROUND_BATCH = 1;
/** Texts per model run otherwise (the CLI's `lens spectrum`). */
const FOREGROUND_BATCH = 32;

/**
 * u_j and v_j of the pair's bundled sample. `run.background`: embedded a text per model run behind the
 * page's requests; `early`: also hands over the spectrum of the first `after` texts, so a slider can move
 * before the whole sample is in (PC1 of uncentered states is dominated by their mean, and settles early).
 */
export async function sampleSpectrum(
  pair: LensPair,
  components = 20,
  onProgress?: (done: number, total: number) => void,
  run: RunOptions = {},
  early?: { after: number; take: (spectrum: Spectrum) => void },
): Promise<Spectrum> {
  const texts = pair.sample;
  if (texts.length < 2) throw new Error(`Pair ${pair.manifest.id} has no sample to estimate PC1 from.`);
  const batchSize = run.background ? BACKGROUND_BATCH : FOREGROUND_BATCH;
  const encoded: EncodedText[] = [];
  const spectrumSoFar = () =>
    spectrumOf(
      encoded.map((e) => e.embed),
      encoded.map((e) => e.base),
      components,
    );
  let tookEarly = false;
  for (const batch of batchesOf(texts, batchSize)) {
    encoded.push(...(await pair.encode(batch, batchSize, undefined, run)));
    onProgress?.(encoded.length, texts.length);
    if (early && !tookEarly && encoded.length >= early.after && encoded.length < texts.length) {
      tookEarly = true;
      early.take(spectrumSoFar());
    }
  }
  return spectrumSoFar();
}

/** The JSON form of a spectrum, as a pair ships it (spectrum.json; u_1 only: the slider needs nothing more). */
export function serializeSpectrum(spectrum: Spectrum) {
  const { vectors, ...rest } = spectrum;
  return { ...rest, u1: Array.from(vectors[0]) };
}

export function parseSpectrum(json: ReturnType<typeof serializeSpectrum>): Spectrum {
  const { u1, ...rest } = json;
  if (!Array.isArray(u1) || !Array.isArray(rest.variation)) throw new Error('spectrum file: expected u1 and variation arrays');
  return { ...rest, vectors: [Float64Array.from(u1)] };
}
