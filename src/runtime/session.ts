import { alignedView } from '../core/align';
import { lambdaCurve, lambdaGrid } from '../core/lambdaCurve';
import { project } from '../core/lmHead';
import { hitAtK, uniqueIds } from '../core/metrics';
import { directionAngle, type Spectrum, spectrumOf } from '../core/spectral';
import { type TokenDiff, tokenDiff } from '../core/tokenDiff';
import { filteredTop } from '../core/tokenFilter';
import { shiftScores } from '../core/topk';
import type { BinaryReader, ProgressListener } from '../shared/files';
import type { PairManifest } from '../shared/manifest';
import { manifestFor } from '../shared/pairId';
import {
  type AlignResult,
  type AppliedAnalysis,
  type CanaryResult,
  type ColumnResult,
  type ComputedOn,
  type Device,
  type DirectionState,
  type DirectionUpdate,
  directionV1,
  type LambdaCurveView,
  type LayerView,
  type PairInfo,
  type ReadyDirection,
  type TokenDiffView,
} from '../shared/wire';
import { type CanaryReference, canaryReference, checkCanary } from './canary';
import { charsRead } from './charsRead';
import {
  type Direction,
  directionFromAnalysis,
  directionFromSpectrum,
  estimatesSample,
  keptSpectrum,
  type SpectrumStore,
  sampleSpectrum,
  sampleTakesOver,
  serializeSpectrum,
  spectrumKey,
  spectrumProvenance,
} from './direction';
import type { DownloadLog } from './downloadLog';
import type { BodySplitter } from './externalDataFetch';
import type { HubClient } from './hub';
import { type LayerDirections, layerRowsAt, type ProjectedText } from './layerView';
import { type LoadOptions, loadPair } from './loadPair';
import type { LayerEncoding, LensPair } from './pair';
import type { PairPlan } from './plan';
import { readSpectrumText, spectrumForPair } from './spectrumFile';

/** Longest input we tokenize at all; the model's context is far shorter anyway. */
export const MAX_INPUT_CHARS = 100_000;

/**
 * Texts of the PC1 sample after which the slider moves at the latest, settled or not (direction.ts SETTLE); the
 * rest refine u₁ and v₁. Measured with `npm run bench -- settle --pair=demo` (docs/benchmarks.md, "settle"): u₁
 * from this many texts gives the explorer's top-10 at λ = v₁ as close to the whole sample's as u₁ from more does,
 * and the slider meets its real-size target ("realsize").
 */
export const EARLY_DIRECTION = 20;
/**
 * Sample texts the Layers view reads at every layer for each layer's u₁⁽ℓ⁾ (the whole sample took over 4 minutes at
 * real size); the deepest layer's u₁ is the slider's own.
 */
const LAYER_SAMPLE_TEXTS = 50;
/** Texts per layer-graph run: each holds every layer's states of its texts, so a batch costs layers × its tokens × d floats. */
const LAYER_BATCH = 8;
/** How long the page must have asked for nothing before background work runs again. */
const QUIET_MS = 1500;

let loadCount = 0;
const newLoadId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${++loadCount}`;

/** The text on show: its ids, both models' logits z = W·h and their pooled states (a slider tick reuses them). */
interface CurrentText {
  requestId: number;
  ids: number[];
  z0: Float32Array;
  zEmbed: Float32Array;
  embed: Float32Array;
  base: Float32Array;
}

/** What one load of a pair holds: replaced as a whole by the next load, dropped by unload. */
interface LoadState {
  pair: LensPair;
  info: PairInfo;
  /**
   * The slider's u₁ and W·u₁; undefined while the pair's sample is being embedded (the slider waits at λ = 0).
   * What the page is shown of it, with the estimate's progress, is `info.direction` (show).
   */
  direction?: Direction;
  /** The background estimate of u₁ (a pair that ships no spectrum): resolves to an error message, if any. */
  estimate?: Promise<string | undefined>;
  /** Where the sample's spectrum is kept for the next visit, and under which key (a pair that ships none). */
  keep?: { store: SpectrumStore; key: string; about: ReturnType<typeof spectrumProvenance> };
  current?: CurrentText;
  /** Per-layer W·u₁ and v₁ of the sample's base states (computed on the first layer view of a load that moves λ). */
  layerDirections?: Promise<LayerDirections | undefined>;
  /**
   * The last text's per-layer states and their projections through W (for the k they were ranked at), so a
   * slider move re-ranks without running the models or projecting again.
   */
  layerCache?: { text: string; encoding: LayerEncoding; projected?: ProjectedText & { k: number } };
  /** Reused V-long buffers of the slider's and the diff's scores. */
  scratch: Float32Array;
  diffScratch: Float32Array;
}

/**
 * The stateful side of the explorer: one loaded pair, its PC1 direction and the
 * current text's logits. A slider tick reuses z0 = W h and zu = W u_1, so it is
 * an O(V) add plus a partial top-k, never a new matrix-vector product.
 */
export class LensSession {
  private state?: LoadState;
  /** Serves single-file Hub bodies as graph + external data (the worker's fetch goes through it). */
  splitter?: BodySplitter;
  /** Hub files as Blobs from the browser's cache (LoadOptions.fileBlob); set by the worker where onnxruntime reads them. */
  fileBlob?: LoadOptions['fileBlob'];
  /** Keeps a pair's sample spectrum between visits (direction.ts), so only the first visit embeds the sample. */
  spectrumStore?: SpectrumStore;
  /** When the page last asked for a text, a slider tick or a diff (background work waits for a quiet moment). */
  private lastRequest = 0;

  /**
   * Resolves once the page has asked for nothing for QUIET_MS. A model run blocks the worker, so a slider tick
   * that arrives during a background run waits for it: while the user drags or types, the sample waits instead.
   */
  private async quiet(): Promise<void> {
    for (let wait = QUIET_MS - (performance.now() - this.lastRequest); wait > 0; wait = QUIET_MS - (performance.now() - this.lastRequest)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Texts of the PC1 sample after which the slider moves (EARLY_DIRECTION; tests with small samples lower it). */
  earlyDirection = EARLY_DIRECTION;
  /** Texts per run while the sample is read before the slider moves, where a measurement asks (`?batch=N`); else direction.ts EARLY_BATCH. */
  earlyBatch?: number;
  /** Hears each change of a load's direction: the estimate's progress, a new u₁ (the worker forwards it to the page). */
  onDirection?: (update: DirectionUpdate) => void;

  constructor(
    private readonly read: BinaryReader,
    /** Where Hub pairs come from; the worker replaces it when the user picks another Hub URL. */
    public hub?: HubClient,
    public headCache?: LoadOptions['headCache'],
    /** What a load downloads, so a failed load leaves nothing broken in the cache. */
    public downloads?: DownloadLog,
  ) {}

  /** Loads a pair by id: a catalog id, `eol:<hub id>` or `hub:<embed>;<base>;<pooling>[;<template>]` (see pairId.ts). */
  async load(pairId: string, device: Device, onProgress?: ProgressListener, plan?: PairPlan): Promise<PairInfo> {
    return this.loadManifest(await manifestFor(pairId, this.read), device, onProgress, plan);
  }

  private loadOptions(device: Device, onProgress?: ProgressListener, plan?: PairPlan, head?: LoadOptions['head']): LoadOptions {
    return {
      device,
      plan,
      read: this.read,
      onProgress,
      hub: this.hub,
      headCache: this.headCache,
      downloads: this.downloads,
      head,
      splitter: this.splitter,
      fileBlob: this.fileBlob,
    };
  }

  /** Loads any pair: a catalog manifest or a custom Hub pair (customPairManifest). `head`: a W already in memory for it. */
  async loadManifest(manifest: PairManifest, device: Device, onProgress?: ProgressListener, plan?: PairPlan, head?: LoadOptions['head']): Promise<PairInfo> {
    const started = performance.now();
    const pair = await loadPair(manifest, this.loadOptions(device, onProgress, plan, head));
    await this.state?.pair.dispose();
    // A pair that ships its spectrum (`lens spectrum`) has its slider at once, and so has one whose sample's
    // spectrum was kept on an earlier visit; any other is shown first and embeds its PC1 sample afterwards,
    // behind the page's requests (estimateDirection), and keeps its spectrum for the next visit: the early one
    // as soon as u₁ settles, the whole sample's once it is in. A kept early spectrum moves the slider at once,
    // and this visit embeds the sample again to refine it.
    // A spectrum file the user opened on an earlier visit (openSpectrum) is kept the same way, and stays as it is.
    if (pair.storedSpectrum && pair.storedSpectrum.vectors[0].length !== pair.head.cols) {
      const width = pair.storedSpectrum.vectors[0].length;
      await pair.dispose();
      throw new Error(`${manifest.spectrum}: its u₁ has ${width} dimensions, but the base model of "${manifest.id}" has ${pair.head.cols}.`);
    }
    const keep = pair.storedSpectrum || !this.spectrumStore ? undefined : this.keepFor(pair, plan, this.spectrumStore);
    const kept = keep && (await keptSpectrum(keep.store, keep.key, keep.about));
    const direction = pair.storedSpectrum
      ? directionFromSpectrum(pair.head, pair.storedSpectrum, { source: 'shipped' })
      : kept && directionFromSpectrum(pair.head, kept, { source: kept.origin !== undefined ? 'file' : 'sample', kept: true, origin: kept.origin });
    const info: PairInfo = {
      id: manifest.id,
      loadId: newLoadId(),
      name: manifest.name,
      description: manifest.description,
      template: manifest.embed.template,
      device,
      dtype: pair.dtype,
      dtypes: plan?.available ?? [pair.dtype],
      vocabSize: pair.head.validRows,
      maxLength: manifest.maxLength,
      loadMs: performance.now() - started,
      direction: direction?.shown ?? { state: 'estimating', done: 0, total: pair.sample.length },
      weightsFrom: pair.weightsFrom,
    };
    const state: LoadState = { pair, info, direction, keep, scratch: new Float32Array(pair.head.rows), diffScratch: new Float32Array(pair.head.rows) };
    this.state = state;
    if (estimatesSample(direction, pair.sample.length)) state.estimate = this.estimateDirection(state);
    return info;
  }

  /** Where and under which key this pair's sample spectrum is kept. */
  private keepFor(pair: LensPair, plan: PairPlan | undefined, store: SpectrumStore): LoadState['keep'] {
    const about = spectrumProvenance(pair, plan);
    return { store, about, key: spectrumKey(this.hub?.baseUrl ?? 'local', pair.manifest, about) };
  }

  /** The loaded pair once its u₁ is known (at once for a pair that ships its spectrum); for batch use (the CLI). */
  async withDirection(): Promise<PairInfo> {
    const state = this.loadedState;
    const error = await state.estimate;
    if (error) throw new Error(error);
    return state.info;
  }

  /** The one place a load's u₁ changes: u₁, W·u₁ and the v_j shown with them, as a whole. */
  private adopt(state: LoadState, direction: Direction, refining?: ReadyDirection['refining']): void {
    state.direction = direction;
    this.show(state, { ...direction.shown, ...(refining && { refining }) }, true);
  }

  /** The one place what the page is shown of a load's direction changes: `info` follows it, and the page hears it. */
  private show(state: LoadState, direction: DirectionState, newU1 = false): void {
    state.info = { ...state.info, direction };
    if (this.state === state) this.onDirection?.({ loadId: state.info.loadId, direction, newU1 });
  }

  /** The slider's direction as shown, with how far the sample's estimate has come (none: it is done). */
  private refine(state: LoadState, refining: ReadyDirection['refining']): void {
    const shown = state.info.direction;
    if (shown.state !== 'ready') return;
    const { refining: _, ...rest } = shown;
    this.show(state, { ...rest, ...(refining && { refining }) });
  }

  /**
   * Makes the slider move along the u₁ of a spectrum file (`lens spectrum`'s JSON, `text`) for the loaded pair, load
   * `computedOn`; `origin` names it (a file's name, a URL). One for another pair, of another width or not a spectrum
   * at all is refused with an Error naming the cause, and the direction stays; one computed in another dtype, on
   * another backend or sample is used with a notice. It outranks the pair's sample (whose estimate, if running,
   * stops) and is kept like the sample's spectrum, so the next visit starts with it.
   */
  openSpectrum(text: string, origin: string, computedOn: ComputedOn): ReadyDirection {
    const state = this.loadedState;
    const { info, pair } = state;
    if (computedOn.pairId !== info.id || computedOn.loadId !== info.loadId) {
      throw new Error(
        `${origin} was opened for ${computedOn.pairId === info.id ? 'an earlier load of this pair' : `the pair "${computedOn.pairId}"`}: it is not applied.`,
      );
    }
    const file = readSpectrumText(text, origin);
    const target = { manifest: pair.manifest, hiddenSize: pair.head.cols, dtype: pair.dtype, device: pair.device, sample: pair.sample };
    const { spectrum, notice } = spectrumForPair(file, target, origin);
    const direction = directionFromSpectrum(pair.head, spectrum, { source: 'file', origin, notice });
    this.adopt(state, direction);
    if (state.keep) {
      // Kept under what this load is (its provenance), as its own sample's would be: a full disk only costs the next visit the file.
      const kept = { ...serializeSpectrum(spectrum, { all: true, about: state.keep.about }), origin };
      void state.keep.store.put(state.keep.key, kept).catch(() => undefined);
    }
    return direction.shown;
  }

  /**
   * Embeds the pair's PC1 sample in the background (direction.ts sampleSpectrum); stops when another
   * pair replaces it. The slider moves once the first `earlyDirection` texts are in; the whole sample
   * refines it. A direction applied from an analysis meanwhile is kept. Resolves to an error message, if any.
   */
  private async estimateDirection(state: LoadState): Promise<string | undefined> {
    const { pair } = state;
    const total = pair.sample.length;
    /** A spectrum file opened meanwhile ends the estimate: the file's spectrum is the one kept. */
    const stopped = () => this.state !== state || state.direction?.shown.source === 'file';
    /** How far the estimate has come: the slider waits for it, or its u₁ is refined. */
    const progress = (done: number, movedDegrees?: number) => {
      if (stopped()) return;
      if (state.info.direction.state === 'ready') this.refine(state, { done, total });
      else this.show(state, { state: 'estimating', done, total, ...(movedDegrees !== undefined && { movedDegrees }) });
    };
    /** How many texts the spectrum kept for the next visit has read. */
    let keptSize = state.direction?.shown.kept ? state.direction.shown.sampleSize : 0;
    /** A spectrum of the first texts (early) or of the whole sample: kept, and taken where it outranks what is there. */
    const take = (spectrum: Spectrum, final: boolean) => {
      if (stopped()) return;
      const { sampleSize } = spectrum;
      if (state.keep && sampleSize > keptSize) {
        keptSize = sampleSize;
        // A full disk or a private window only costs the next visit the sample again.
        void state.keep.store.put(state.keep.key, serializeSpectrum(spectrum, { all: true, about: state.keep.about })).catch(() => undefined);
      }
      const refining = final ? undefined : { done: sampleSize, total };
      if (!sampleTakesOver(state.info.direction, sampleSize)) return this.refine(state, refining);
      // How far this u₁ is from the one the slider had: the footnote says how stable the estimate is as it sharpens.
      const lastMoveDegrees = state.direction && directionAngle(state.direction.u1, spectrum.vectors[0]);
      this.adopt(state, directionFromSpectrum(pair.head, spectrum, { source: 'sample', lastMoveDegrees }), refining);
    };
    try {
      progress(0);
      const early = { after: this.earlyDirection, take: (spectrum: Spectrum) => take(spectrum, false), batch: this.earlyBatch };
      const run = { background: true, isCancelled: stopped, beforeRun: () => this.quiet() };
      const spectrum = await sampleSpectrum(pair, 20, ({ done, movedDegrees }) => progress(done, movedDegrees), run, early);
      take(spectrum, true);
    } catch (error) {
      if (stopped()) return undefined;
      const reason = `PC1 could not be estimated from the pair's sample: ${(error as Error).message}`;
      if (state.info.direction.state === 'ready') this.refine(state, undefined);
      else this.show(state, { state: 'failed', reason });
      return reason;
    }
    return undefined;
  }

  /**
   * The WebGPU check's reference, computed without holding the pair twice: the pair
   * loads on WASM alone, embeds the canary text and is freed before the WebGPU load.
   * Returns its W too, for the WebGPU load to share.
   */
  async wasmReference(
    manifest: PairManifest,
    plan: PairPlan | undefined,
    onProgress?: ProgressListener,
  ): Promise<{ reference: CanaryReference; head: LensPair['head'] }> {
    const cpu = await loadPair(manifest, this.loadOptions('wasm', onProgress, plan));
    try {
      return { reference: await canaryReference(cpu), head: cpu.head };
    } finally {
      await cpu.dispose();
    }
  }

  /** Compares the loaded (WebGPU) pair with a WASM reference (canary.ts). */
  checkCanary(reference: CanaryReference, distort = false): Promise<CanaryResult> {
    return checkCanary(this.loaded, reference, distort);
  }

  /** Frees the loaded pair (before loading a large one in its place, e.g. the WASM fallback). */
  async unload(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    await state?.pair.dispose();
  }

  private get loadedState(): LoadState {
    if (!this.state) throw new Error('No model pair is loaded yet.');
    return this.state;
  }

  /** The loaded pair, for analyses that run beside the explorer. */
  get loaded(): LensPair {
    return this.loadedState.pair;
  }

  /** The current text's pooled states (for the contribution view). */
  get currentStates(): { ids: number[]; embed: Float32Array; base: Float32Array; u1: Float64Array } | undefined {
    const { current, direction } = this.state ?? {};
    return current && direction ? { ids: current.ids, embed: current.embed, base: current.base, u1: direction.u1 } : undefined;
  }

  /**
   * Replaces the slider's direction with one estimated elsewhere (the Analysis view's dataset), with its own v_j:
   * zu = W u_1 is recomputed once. It outranks the pair's sample, even a spectrum of it that arrives later.
   */
  setDirection(analysis: AppliedAnalysis, computedOn: ComputedOn): ReadyDirection {
    const { u1 } = analysis;
    const state = this.loadedState;
    const { info, pair } = state;
    if (computedOn.pairId !== info.id || computedOn.loadId !== info.loadId) {
      const which = computedOn.pairId === info.id ? 'an earlier load of this pair' : `the pair "${computedOn.pairId}"`;
      throw new Error(`This u₁ was computed on ${which}, not on the loaded pair "${info.id}": it is not applied.`);
    }
    if (u1.length !== pair.head.cols) {
      throw new Error(`This u₁ has ${u1.length} dimensions, but the loaded pair "${info.id}" has ${pair.head.cols}: it is not applied.`);
    }
    const direction = directionFromAnalysis(pair.head, analysis);
    this.adopt(state, direction);
    return direction.shown;
  }

  /** u₁ the slider moves along, with what the page is shown of it (a saved view keeps an analysis's); null while there is none. */
  get sliderDirection(): { u1: number[]; shown: ReadyDirection } | null {
    const direction = this.state?.direction;
    return direction ? { u1: Array.from(direction.u1), shown: direction.shown } : null;
  }

  async align(requestId: number, rawText: string, k: number, lambda: number): Promise<AlignResult> {
    const started = performance.now();
    this.lastRequest = started;
    const state = this.loadedState;
    const { pair } = state;
    const text = rawText.slice(0, MAX_INPUT_CHARS);
    if (text.trim().length === 0) throw new Error('The text is empty: type or paste a text to see its aligned tokens.');
    const [encoded] = await pair.encode([text]);
    const zEmbed = project(pair.head, encoded.embed);
    const z0 = project(pair.head, encoded.base);
    state.current = { requestId, ids: encoded.ids, z0, zEmbed, embed: encoded.embed, base: encoded.base };
    this.lastRequest = performance.now(); // a slider drag often follows a new text
    return {
      requestId,
      tokens: pair.tokens.sequence(encoded.ids).map(({ shown, run }, i) => ({ id: encoded.ids[i], text: shown, ...(run && { run }) })),
      truncated: encoded.truncated,
      droppedChars: rawText.length - text.length,
      // Where the context cuts the text (the explorer marks it): a bisection over prefixes, only for a long text.
      charsRead: encoded.truncated ? charsRead((t) => pair.tokenize(t), text) : text.length,
      embed: this.column(zEmbed, encoded.ids, k),
      base: this.column(this.shiftedScores(state.current, lambda), encoded.ids, k),
      lambda,
      ms: performance.now() - started,
    };
  }

  isCurrent(requestId: number): boolean {
    return this.state?.current?.requestId === requestId;
  }

  /** The text on show if it is `requestId`'s. */
  private currentText(requestId: number): CurrentText | undefined {
    const current = this.state?.current;
    return current?.requestId === requestId ? current : undefined;
  }

  /** The base column at a new λ for the current text, or null if `requestId` is no longer current. */
  shift(requestId: number, lambda: number, k: number): ColumnResult | null {
    this.lastRequest = performance.now();
    const current = this.currentText(requestId);
    return current ? this.column(this.shiftedScores(current, lambda), current.ids, k) : null;
  }

  /** The base's scores at λ, z0 + λ·W·u₁ (z0 itself while the PC1 sample is still being embedded: there is no u₁ yet). */
  private shiftedScores(current: CurrentText, lambda: number): Float32Array {
    const { direction, scratch } = this.loadedState;
    return lambda === 0 || !direction ? current.z0 : shiftScores(current.z0, direction.zu, lambda, scratch);
  }

  /**
   * The token diff of the current text at λ, from the z vectors held (z0 + λ zu and
   * the embedder's z: no W·h). ~12 ms at V = 151,936 (two rank passes), so it is
   * asked for apart from the slider's tick (shift), once the slider rests.
   * Null when `requestId` is no longer current.
   */
  diff(requestId: number, lambda: number, k: number, filtered = false): TokenDiffView | null {
    this.lastRequest = performance.now();
    const current = this.currentText(requestId);
    if (!current) return null;
    const { pair, diffScratch } = this.loadedState;
    const exclude = filtered ? pair.noiseIds : [];
    const diff = tokenDiff(current.zEmbed, this.shiftedScores(current, lambda), pair.head.validRows, k, diffScratch, exclude);
    const named = (rows: TokenDiff['risers']) => rows.map((r) => ({ ...r, text: pair.tokenText(r.id) }));
    return { requestId, lambda, filtered, risers: named(diff.risers), fallers: named(diff.fallers), hidden: diff.hidden };
  }

  /**
   * The λ curve of the current text (core/lambdaCurve.ts): content Hit@k of the base at `steps + 1` values of λ
   * across [-bound, bound] and the overlap of its top k with the embedder's, and the base column at λ = v₁ of the
   * direction it was computed along. From the z vectors held: no projection through W. Null when `requestId` is no
   * longer current or there is no u₁ yet.
   */
  curve(requestId: number, k: number, bound: number, steps = 24): LambdaCurveView | null {
    const current = this.currentText(requestId);
    const { pair, direction, diffScratch } = this.loadedState;
    if (!current || !direction) return null;
    const contentIds = uniqueIds(current.ids).filter(pair.isContent);
    const inputs = { z0: current.z0, zu: direction.zu, zEmbed: current.zEmbed, validRows: pair.head.validRows, contentIds, k };
    const points = lambdaCurve(inputs, lambdaGrid(bound, steps), diffScratch);
    const v1 = directionV1(direction.shown);
    return { requestId, k, v1, points, atV1: this.column(this.shiftedScores(current, v1), current.ids, k) };
  }

  /**
   * The layer view of a text: for each layer ℓ, both models' pooled states through the final norm and W,
   * ranked, the base moved along that layer's own PC1 (layerView.ts). The models run once per text, and each
   * projection through W is made once per text or per load: a slider move re-ranks what is held.
   */
  async layers(requestId: number, rawText: string, k: number, requestedLambda: number): Promise<LayerView> {
    this.lastRequest = performance.now();
    const state = this.loadedState;
    const { pair, direction } = state;
    const lambda = direction ? requestedLambda : 0; // no u₁ yet (the sample is being embedded)
    const text = rawText.slice(0, MAX_INPUT_CHARS);
    if (text.trim().length === 0) throw new Error('The text is empty: type or paste a text to see its layers.');
    if (state.layerCache?.text !== text) state.layerCache = { text, encoding: await pair.encodeLayers([text], 1) };
    const cache = state.layerCache;
    const { embed, base, reasons } = cache.encoding;
    if (reasons.embed || reasons.base || embed.length === 0) return { requestId, rows: [], reasons };
    const ids = cache.encoding.texts[0].ids;
    if (cache.projected?.k !== k) {
      cache.projected = {
        k,
        zBase: cache.projected?.zBase ?? base.map((states) => project(pair.head, states[0])),
        embedColumns: embed.map((states) => this.column(project(pair.head, states[0]), ids, k)),
      };
    }
    const content = uniqueIds(ids).filter(pair.isContent);
    const contentHit = (column: ColumnResult) => (content.length ? hitAtK(column.ids, content, k) : null);
    const directions = lambda === 0 ? undefined : await this.sampleLayerDirections(state);
    // λ is read on the scale of the slider's own v₁, whichever source gave it (an analysis's, a file's, the sample's).
    const slider = direction && { zu: direction.zu, v1: directionV1(direction.shown) };
    const rows = layerRowsAt(cache.projected, lambda, slider, directions, (z) => this.column(z, ids, k), contentHit, state.scratch);
    return { requestId, rows, reasons };
  }

  /**
   * W·u₁⁽ℓ⁾ and v₁⁽ℓ⁾ of the first LAYER_SAMPLE_TEXTS texts of the pair's sample at every layer (once per load;
   * undefined without a sample): the whole sample through every layer of both models took over 4 minutes at
   * Qwen3-0.6B's size (bench realsize), for directions the first texts already give.
   */
  private sampleLayerDirections(state: LoadState): Promise<LayerDirections | undefined> {
    const { pair } = state;
    state.layerDirections ??= (async () => {
      if (pair.sample.length < 2) return undefined;
      const { embed, base } = await pair.encodeLayers(pair.sample.slice(0, LAYER_SAMPLE_TEXTS), LAYER_BATCH);
      const spectra = base.map((states, l) => spectrumOf(embed[l], states, 1));
      return { zu: spectra.map((s) => project(pair.head, s.vectors[0])), v1: spectra.map((s) => s.variation[0]) };
    })();
    return state.layerDirections;
  }

  private column(z: Float32Array, textIds: number[], k: number): ColumnResult {
    const pair = this.loaded;
    // The content variants rank over the whole vocabulary; only the text's token set is narrowed (core/content.ts).
    const view = alignedView(z, pair.head.validRows, textIds, k, uniqueIds(textIds).filter(pair.isContent));
    const named = (ids: number[]) => ids.map((id) => ({ id, text: pair.tokenText(id) }));
    // Most top-k lists hold no byte or special token: then the filtered list is the list, at no second ranking.
    const clean = view.ids.some(pair.isNoise) ? filteredTop(z, pair.head.validRows, k, pair.isNoise) : { ids: view.ids, scores: view.scores, hidden: 0 };
    return { ...view, content: view.content ?? null, tokens: named(view.ids), filtered: { ...clean, tokens: named(clean.ids) } };
  }
}
