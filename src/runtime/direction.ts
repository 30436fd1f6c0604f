/**
 * The slider's direction: where u₁ comes from, which source outranks which, and the one v₁ the explorer moves along.
 *
 * The paper's §4: the embedder's change from its base model lies mainly along u₁, the first principal
 * direction of the base model's pooled states (uncentered), and base + λ·u₁ makes the key tokens appear;
 * v₁, the mean embed − base shift along u₁, marks on the slider where the embedder sits
 * (docs/design.md, "Spectral analysis: u_j, shares, v_j").
 *
 * A Direction has one of four sources (wire.ts DirectionSource):
 * - 'shipped': the pair ships the spectrum of its sample (`lens spectrum` wrote spectrum.json);
 * - 'sample': the pair ships only the sample, embedded after the pair is shown (sampleSpectrum, in the
 *   background, behind the page's requests); an early estimate from the first texts moves the slider
 *   before the whole sample is in. Or its spectrum from an earlier visit (`kept`, SpectrumStore), while nothing
 *   it was computed on has changed (SpectrumProvenance); a kept early one is refined by this visit's estimate;
 * - 'analysis': the user applied the u₁ of a dataset analysis, with its own v_j;
 * - 'file': the user opened a spectrum file (`lens spectrum`'s JSON, spectrumFile.ts) for the loaded pair; it
 *   is kept like the sample's, so the next visit starts with it (`kept` then).
 * The rules that rank them live here alone (sampleTakesOver, estimatesSample); the page only displays the
 * DirectionState it is sent. A Direction is replaced as a whole, never edited: u₁, W·u₁ and the v_j shown with
 * them always belong together, so the slider, the λ curve and the Layers view read one v₁.
 */
import { batchesOf } from '../core/batches';
import { textsFingerprint } from '../core/hash';
import { type LmHead, project } from '../core/lmHead';
import { directionAngle, type Spectrum, spectrumOf, topComponents } from '../core/spectral';
import type { Dtype } from '../shared/dtypes';
import type { PairManifest } from '../shared/manifest';
import type { AppliedAnalysis, Device, DirectionState, ReadyDirection } from '../shared/wire';
import type { LensPair, RunOptions } from './pair';
import { bodyRepos, type PairPlan } from './plan';

export interface Direction {
  /** What the page is shown of it: source, origin, v_j, shares, sample size. */
  shown: ReadyDirection;
  /** u₁, unit length, in the base model's hidden space. */
  u1: Float64Array;
  /** W·u₁: a slider tick adds λ·zu to the base's logits z0 = W·h (core/topk.ts shiftScores), never a new W·h. */
  zu: Float32Array;
}

/** Where a spectrum's direction comes from, and what the page is told with it. */
export interface SpectrumSource {
  source: 'shipped' | 'sample' | 'file';
  kept?: boolean;
  /** For source 'file': the file's name or URL. */
  origin?: string;
  notice?: string;
  /** Degrees from the u₁ this one replaces (a sample's estimate as it sharpens). */
  lastMoveDegrees?: number;
}

/** The direction of a spectrum's u₁ for this W. */
export function directionFromSpectrum(head: LmHead, spectrum: Spectrum, from: SpectrumSource): Direction {
  const u1 = spectrum.vectors[0];
  const { source, kept, origin, notice, lastMoveDegrees } = from;
  const { variation, shares, sampleSize } = spectrum;
  return {
    u1,
    zu: project(head, u1),
    shown: {
      state: 'ready',
      source,
      ...(kept && { kept: true }),
      ...(origin !== undefined && { origin }),
      variation,
      shares,
      sampleSize,
      ...(notice && { notice }),
      ...(lastMoveDegrees !== undefined && { lastMoveDegrees }),
    },
  };
}

/** A u₁ applied from an analysis, with the analysis's own v_j: its v₁ scales λ from then on. */
export function directionFromAnalysis(head: LmHead, analysis: AppliedAnalysis): Direction {
  const u1 = Float64Array.from(analysis.u1);
  const { variation, shares, sampleSize, origin } = analysis;
  return { u1, zu: project(head, u1), shown: { state: 'ready', source: 'analysis', origin, variation, shares, sampleSize } };
}

/**
 * Whether a spectrum of the pair's sample read from `sampleSize` texts replaces the direction the slider has.
 * The user's choice (an analysis, a spectrum file) outranks the sample, even a spectrum of it that arrives later,
 * and a shipped spectrum is the whole sample's already; a kept spectrum stays until the estimate has read more.
 */
export function sampleTakesOver(current: DirectionState, sampleSize: number): boolean {
  if (current.state !== 'ready') return true;
  if (current.source !== 'sample') return false;
  return !(current.kept && current.sampleSize >= sampleSize);
}

/** Whether a load embeds its sample: it has no direction yet, or one kept from fewer texts than the sample has. */
export function estimatesSample(atLoad: Direction | undefined, sampleLength: number): boolean {
  return !atLoad || (atLoad.shown.source === 'sample' && atLoad.shown.sampleSize < sampleLength);
}

/** Texts per model run for a sample embedded in the background: one, since a run blocks the worker and the page's next message waits for it. */
const BACKGROUND_BATCH = 1;
/** Texts per model run otherwise (the CLI's `lens spectrum`). */
const FOREGROUND_BATCH = 32;
/**
 * Texts per background run until the slider moves. Measured on WASM at Qwen3-0.6B's size (bench realsize
 * --slider-only; figures in docs/benchmarks.md, "realsize"): on two onnxruntime threads runs of 4 read the sample
 * faster, but a text typed meanwhile waited about twice as long for its tokens, since it waits for the run in
 * flight; on one thread they lost outright. The tokens of what the user types come first, so one text per run.
 * WebGPU, where a batch may pay more, is not measured.
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
