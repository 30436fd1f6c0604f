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
 * - 'kept': the spectrum of the pair's sample from an earlier visit (SpectrumStore), while nothing it was
 *   computed on has changed (SpectrumProvenance);
 * - 'sample': the pair ships only the sample, embedded after the pair is shown (sampleSpectrum, in the
 *   background, behind the page's requests); an early estimate from the first texts moves the slider
 *   before the whole sample is in;
 * - 'analysis': the user applied the u₁ of a dataset analysis; it outranks the sample's, even one that
 *   arrives later;
 * - 'file': the user opened a spectrum file (`lens spectrum`'s JSON, spectrumFile.ts) for the loaded pair; it
 *   outranks the sample's too, and is kept like it, so the next visit starts with it.
 * A Direction is replaced as a whole, never edited: u₁ and W·u₁ always belong together.
 */
import { batchesOf } from '../core/batches';
import { textsFingerprint } from '../core/hash';
import { type LmHead, project } from '../core/lmHead';
import { directionAngle, type Spectrum, spectrumOf, topComponents } from '../core/spectral';
import type { Dtype } from '../shared/dtypes';
import type { PairManifest } from '../shared/manifest';
import type { Device, DirectionSource } from '../shared/wire';
import type { LensPair, RunOptions } from './pair';
import { bodyRepos, type PairPlan } from './plan';

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
  /** For source 'file' (and a kept one): the file's name or URL. */
  origin?: string;
}

/** The direction of a spectrum's u₁ for this W; `origin`: the file it was read from (source 'file'). */
export function directionFromSpectrum(head: LmHead, spectrum: Spectrum, source: 'shipped' | 'kept' | 'sample' | 'file', origin?: string): Direction {
  const u1 = spectrum.vectors[0];
  return {
    source,
    u1,
    zu: project(head, u1),
    variation: spectrum.variation,
    shares: spectrum.shares,
    sampleSize: spectrum.sampleSize,
    ...(origin !== undefined && { origin }),
  };
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
 * Texts per background run until the slider moves. Measured on WASM at Qwen3-0.6B's size (bench realsize
 * --slider-only, alternating builds, 2 cores, 2026-12-03; docs/benchmarks.md): on two onnxruntime threads runs of 4
 * read the sample ~1.4× faster (the slider 10.7 and 11.4 s after the first tokens against 12.1 and 12.7 s) but a
 * text typed meanwhile waited 3.1 s for its tokens instead of 1.4–1.5 s; on one thread they lost outright. The
 * tokens of what the user types come first, so one text per run. WebGPU, where a batch may pay more, is not
 * measured (no GPU here).
 */
export const EARLY_BATCH = 1;

/**
 * When u₁ has settled, so the slider may move before the whole sample is in: u₁ is compared with its estimate
 * SETTLE_STRIDE texts earlier; under SETTLED_DEGREES apart, from SETTLE_MIN_TEXTS texts on, it is taken (or after
 * `early.after` texts at the latest). The thresholds come from `npm run bench -- settle` (docs/benchmarks.md): on
 * the demo pair (trained weights) u₁ from 20 texts is 9.9° from the whole sample's, and the explorer's top-10 at
 * λ = v₁ with it shares 86% with the whole sample's view, no less than u₁ from all 200 texts does with the same
 * v₁ (84%): what limits the early view is v₁, read by the embedder from EARLY_V_TEXTS texts, not u₁. A tighter
 * rule (2°) waited for 52 texts for nothing. The estimate is then refined as the sample comes in (sampleSpectrum).
 */
export const SETTLE = { minTexts: 16, stride: 4, degrees: 5 } as const;

/** How a background estimate comes along: texts read by the base model (u₁) and by the embedder (v), and how far u₁ moved. */
export interface SampleProgress {
  done: number;
  /** Texts the embedder has read: it follows the base model, which reads ahead until u₁ settles. */
  embedded: number;
  total: number;
  /** Until u₁ is handed over: degrees between the current u₁ and the one SETTLE.stride texts earlier (once there are two to compare). */
  movedDegrees?: number;
}

/**
 * Texts the embedder reads before an early u₁ is handed over: v₁ (the slider's marker, and so its range) is a
 * mean over texts, near its final value from a few; the rest of the sample refines it.
 */
export const EARLY_V_TEXTS = 8;

/**
 * u_j and v_j of the pair's bundled sample. `run.background`: a text per model run, behind the page's
 * requests. `early`: also hands over the spectrum of the texts read so far once u₁ has settled (SETTLE), or
 * after `early.after` texts at the latest, so a slider can move before the whole sample is in (`early.batch`: texts
 * per run until then in the background, EARLY_BATCH unless a measurement asks otherwise); and again each
 * time the texts read have doubled since (with v from every one of them), so the slider's u₁ and v₁ sharpen
 * as the sample comes in instead of jumping once at its end.
 *
 * u₁ is a direction of the base model's states alone (paper §4: the principal components of the base
 * embeddings), so until it is handed over only the base model runs, half the work per text; the embedder
 * then reads EARLY_V_TEXTS of those texts for v₁, and catches up on the rest afterwards. Without `early` both
 * read every text in turn. Either way the final spectrum is the whole sample's, as `lens spectrum` computes it.
 */
export async function sampleSpectrum(
  pair: LensPair,
  components = 20,
  onProgress?: (progress: SampleProgress) => void,
  run: RunOptions = {},
  early?: { after: number; take: (spectrum: Spectrum) => void; batch?: number },
): Promise<Spectrum> {
  const texts = pair.sample;
  if (texts.length < 2) throw new Error(`Pair ${pair.manifest.id} has no sample to estimate PC1 from.`);
  const batchSize = run.background ? BACKGROUND_BATCH : FOREGROUND_BATCH;
  const earlyBatch = run.background ? (early?.batch ?? EARLY_BATCH) : FOREGROUND_BATCH;
  const base: Float32Array[] = [];
  const embed: Float32Array[] = [];
  const report = (movedDegrees?: number) =>
    onProgress?.({ done: base.length, embedded: embed.length, total: texts.length, ...(movedDegrees !== undefined && { movedDegrees }) });
  const readEmbed = async (upTo: number, size = batchSize) => {
    for (const batch of batchesOf(texts.slice(embed.length, upTo), size)) {
      embed.push(...(await pair.runBody('embed', batch, run)));
      report();
    }
  };

  /** After how many texts the next spectrum is handed over (twice as many as the last one read). */
  let nextHandOver: number | undefined;
  const handOver = (spectrum: Spectrum) => {
    nextHandOver = spectrum.sampleSize * 2;
    early?.take(spectrum);
  };
  if (early) {
    /** u₁ after each run, by the texts read then. */
    const u1After: [number, Float64Array][] = [];
    for (const batch of batchesOf(texts, earlyBatch)) {
      base.push(...(await pair.runBody('base', batch, run)));
      const n = base.length;
      let movedDegrees: number | undefined;
      if (n >= 2) {
        const u1 = topComponents(base, 1).vectors[0];
        // Compared with u₁ at the last multiple of SETTLE.stride at least a stride back (4–7 texts earlier, one
        // text per run), or the last estimate before it where runs of several texts skip that multiple.
        const back = Math.floor((n - SETTLE.stride) / SETTLE.stride) * SETTLE.stride;
        const earlier = back > 0 ? u1After.findLast(([m]) => m <= back) : undefined;
        if (earlier) movedDegrees = directionAngle(u1, earlier[1]);
        u1After.push([n, u1]);
      }
      report(movedDegrees);
      if (n >= texts.length) break;
      const settled = movedDegrees !== undefined && n >= SETTLE.minTexts && movedDegrees < SETTLE.degrees;
      if (settled || n >= early.after) {
        await readEmbed(Math.min(EARLY_V_TEXTS, n), earlyBatch);
        handOver(spectrumOf(embed, base, components));
        break;
      }
    }
  }
  // The embedder catches up on what the base model read ahead; then both read the rest, text by text.
  await readEmbed(base.length);
  for (const batch of batchesOf(texts.slice(base.length), batchSize)) {
    embed.push(...(await pair.runBody('embed', batch, run)));
    base.push(...(await pair.runBody('base', batch, run)));
    report();
    if (nextHandOver !== undefined && base.length >= nextHandOver && base.length < texts.length) handOver(spectrumOf(embed, base, components));
  }
  return spectrumOf(embed, base, components);
}

/**
 * The JSON form of a spectrum: the file a pair ships (spectrum.json, written by `lens spectrum`) and the one kept
 * between visits. u_1 is all the slider needs; `more` (u_2..u_k) and `about` are written where asked.
 */
export interface SpectrumFile {
  u1: number[];
  /** u_2..u_k, in order. */
  more?: number[][];
  singularValues: number[];
  shares: number[];
  variation: number[];
  sampleSize: number;
  /** What the spectrum was computed on, for a reader to check before it uses it. */
  about?: SpectrumProvenance;
  /** Kept between visits only: the spectrum file the user opened (its name or URL), when it came from one. */
  origin?: string;
}

/** What a spectrum was computed on: a changed sample, export or backend gives another spectrum. */
export interface SpectrumProvenance {
  /** textsFingerprint of the sample. */
  sample: string;
  embed: string;
  base: string;
  /** The bodies' dtype and each body file's size in bytes (a re-exported graph changes them). */
  dtype: Dtype;
  graphs: string;
  device: Device;
}

export function serializeSpectrum(spectrum: Spectrum, options: { all?: boolean; about?: SpectrumProvenance } = {}): SpectrumFile {
  const { vectors, ...rest } = spectrum;
  return {
    ...rest,
    u1: Array.from(vectors[0]),
    ...(options.all && vectors.length > 1 && { more: vectors.slice(1).map((u) => Array.from(u)) }),
    ...(options.about && { about: options.about }),
  };
}

export function parseSpectrum(json: SpectrumFile): Spectrum {
  const { u1, more, variation, shares, singularValues, sampleSize } = json;
  if (!Array.isArray(u1) || !Array.isArray(variation)) throw new Error('spectrum file: expected u1 and variation arrays');
  return { variation, shares, singularValues, sampleSize, vectors: [u1, ...(more ?? [])].map((u) => Float64Array.from(u)) };
}

/** The spectrum of a pair's sample as it would be computed now: any change in what it depends on gives another. */
export function spectrumProvenance(pair: LensPair, plan: PairPlan | undefined): SpectrumProvenance {
  const { manifest } = pair;
  const graphs = bodyRepos(manifest)
    .map((repo) => `${repo}:${plan?.chosen[repo]?.bytes ?? 'local'}`)
    .join(',');
  return { sample: textsFingerprint(pair.sample), embed: manifest.embed.model, base: manifest.base.model, dtype: pair.dtype, graphs, device: pair.device };
}

/**
 * Where a pair's sample spectrum is kept between visits (the browser's IndexedDB, the CLI's cache folder), keyed
 * by spectrumKey: a pair that ships no spectrum.json then has its slider at once from the second visit on.
 */
export interface SpectrumStore {
  get(key: string): Promise<SpectrumFile | undefined>;
  put(key: string, file: SpectrumFile): Promise<void>;
}

/**
 * The key a spectrum is kept under: the Hub, both repos (so the cache manager removes it with either), the
 * pooling and template, and everything in its provenance. `hubUrl|embed|base|…`.
 */
export function spectrumKey(hubUrl: string, manifest: PairManifest, about: SpectrumProvenance): string {
  return [
    hubUrl,
    about.embed,
    about.base,
    manifest.embed.pooling,
    manifest.base.pooling,
    manifest.embed.template,
    about.dtype,
    about.graphs,
    about.device,
    about.sample,
  ].join('|');
}

/**
 * A kept spectrum, if it was computed on exactly what `about` describes (one opened from a file is kept under
 * the loaded pair's `about`), with the file it came from, if any.
 */
export async function keptSpectrum(store: SpectrumStore, key: string, about: SpectrumProvenance): Promise<(Spectrum & { origin?: string }) | undefined> {
  const file = await store.get(key).catch(() => undefined);
  if (!file?.about || JSON.stringify(file.about) !== JSON.stringify(about)) return undefined;
  try {
    return { ...parseSpectrum(file), ...(typeof file.origin === 'string' && { origin: file.origin }) };
  } catch {
    return undefined; // a damaged entry: the sample is embedded again, and its spectrum replaces it
  }
}
