import { type AlignedView, alignedView } from '../core/align';
import { project } from '../core/lmHead';
import { hitAtK, uniqueIds } from '../core/metrics';
import { topComponents, variation } from '../core/spectral';
import { type TokenDiff, tokenDiff } from '../core/tokenDiff';
import { shiftScores } from '../core/topk';
import type { BinaryReader, ProgressListener } from '../shared/files';
import type { HubClient } from './hub';
import type { Dtype } from '../shared/dtypes';
import type { PairManifest } from '../shared/manifest';
import { manifestFor } from '../shared/pairId';
import { type CanaryReference, type CanaryResult, canaryReference, checkCanary } from './canary';
import type { DownloadLog } from './downloadLog';
import type { BodySplitter } from './externalDataFetch';
import { type Device, type LayerEncoding, LensPair, type LoadOptions, type Spectrum, type WeightsSource } from './pair';
import type { PairPlan } from './plan';

/** Longest input we tokenize at all; the model's context is far shorter anyway. */
export const MAX_INPUT_CHARS = 100_000;

export interface TokenInfo {
  id: number;
  /** Readable: a token that is not valid UTF-8 on its own shows its bytes, `<0xE2><0x80>` (runtime/tokenReader.ts). */
  text: string;
  /** On the first token of a run of tokens that together form characters: its length and their text. */
  run?: { length: number; text: string };
}

export interface ColumnResult extends AlignedView {
  tokens: TokenInfo[];
}

export type DiffToken = TokenDiff['risers'][number] & { text: string };

/**
 * The tokens whose score rises / falls most from the base ranking (at λ) to the
 * embedder's, each z standardised over the vocabulary (core/tokenDiff.ts).
 */
export interface TokenDiffView {
  requestId: number;
  lambda: number;
  risers: DiffToken[];
  fallers: DiffToken[];
}

/** One layer of the layer view: both models' top tokens of W · pool(norm(x_ℓ)). */
export interface LayerRow {
  /** 1-based, shallow to deep; the last row is the model's output (the explorer's columns). */
  layer: number;
  embed: ColumnResult;
  base: ColumnResult;
  /** Hit@k over the text's content tokens (null when the text has none). */
  contentHit: { embed: number | null; base: number | null };
  /** λ applied to the base at this layer, along this layer's u₁ (see LensSession.layers). */
  lambda: number;
}

export interface LayerView {
  requestId: number;
  /** Empty when either model has no layers; `reasons` then says why. */
  rows: LayerRow[];
  reasons: { embed?: string; base?: string };
}

export interface AlignResult {
  requestId: number;
  /** The text's own tokens in order. */
  tokens: TokenInfo[];
  truncated: boolean;
  /** Characters dropped before tokenizing (input longer than MAX_INPUT_CHARS). */
  droppedChars: number;
  embed: ColumnResult;
  base: ColumnResult;
  lambda: number;
  ms: number;
}

export interface PairInfo {
  id: string;
  /**
   * Names this load of the pair, unique across loads and worker restarts: a result
   * computed on one load is not applied to another (another pair, or a fresh worker
   * that no longer holds what the first one built).
   */
  loadId: string;
  name: string;
  description?: string;
  device: Device;
  /** The bodies' ONNX variant (dtypes.ts): q8 on WASM, half floats on WebGPU with shader-f16, where the repos have them. */
  dtype: Dtype;
  /** Dtypes both bodies have (the picker offers these). */
  dtypes: Dtype[];
  vocabSize: number;
  maxLength: number;
  /** v_1..v_n and each component's energy share, from the bundled sample. */
  variation: number[];
  shares: number[];
  sampleSize: number;
  loadMs: number;
  /** Why the pair runs on another backend than asked (WebGPU check failed, device lost). */
  notice?: string;
  /** The WebGPU-vs-WASM check at load, when WebGPU was used. */
  canary?: CanaryResult;
  /**
   * 'estimating': the pair ships no spectrum, so its PC1 sample is being embedded after the pair is
   * shown (the slider waits; DirectionProgress reports), and variation/shares are empty until then.
   */
  direction: 'ready' | 'estimating';
  /** Where onnxruntime read the bodies' weights from (pair.ts WeightsSource). */
  weightsFrom: WeightsSource;
}

/** The PC1 sample of a load, embedded in the background: progress, then the spectrum or the reason it failed. */
export interface DirectionProgress {
  loadId: string;
  done: number;
  total: number;
  spectrum?: { variation: number[]; shares: number[]; sampleSize: number };
  /** With a spectrum: false for the early one (the first texts of the sample), true once the whole sample is in. */
  final?: boolean;
  error?: string;
}

/** Texts of the PC1 sample after which the slider moves (the rest refine u₁). */
export const EARLY_DIRECTION = 50;
/** How long the page must have asked for nothing before background work runs again. */
const QUIET_MS = 1500;

let loadCount = 0;
const newLoadId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${++loadCount}`;

/** Which pair, and which load of it, a direction (or any result) was computed on. */
export interface ComputedOn {
  pairId: string;
  loadId: string;
}

/**
 * The stateful side of the explorer: one loaded pair, its PC1 direction and the
 * current text's logits. A slider tick reuses z0 = W h and zu = W u_1, so it is
 * an O(V) add plus a partial top-k, never a new matrix-vector product.
 */
export class LensSession {
  private pair?: LensPair;
  private zu?: Float32Array;
  private u1?: Float64Array;
  private current?: { requestId: number; ids: number[]; z0: Float32Array; zEmbed: Float32Array; embed: Float32Array; base: Float32Array };
  private diffScratch?: Float32Array;
  /** Per-layer u₁ and v₁ of the sample's base states (computed on the first layer view of a load). */
  private layerSpectra?: Promise<{ u1: Float64Array; v1: number }[] | undefined>;
  /** The last text's per-layer states, so a slider move re-ranks without running the models again. */
  private layerCache?: { text: string; encoding: LayerEncoding };
  private scratch?: Float32Array;
  private info?: PairInfo;
  /** The background estimate of this load's u₁ (undefined when the pair shipped its spectrum). */
  private directionTask?: Promise<string | undefined>;
  /** A direction applied from elsewhere (an analysis) outranks the sample's, even one that arrives later. */
  private directionApplied = false;
  /** Serves single-file Hub bodies as graph + external data (the worker's fetch goes through it). */
  splitter?: BodySplitter;
  /** Hub files as Blobs from the browser's cache (LoadOptions.fileBlob); set by the worker where onnxruntime reads them. */
  fileBlob?: LoadOptions['fileBlob'];
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
  /** Hears how the PC1 sample of a load comes along (the worker forwards it to the page). */
  onDirection?: (progress: DirectionProgress) => void;

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
    return { device, plan, read: this.read, onProgress, hub: this.hub, headCache: this.headCache, downloads: this.downloads, head, splitter: this.splitter, fileBlob: this.fileBlob };
  }

  /** Loads any pair: a catalog manifest or a custom Hub pair (customPairManifest). `head`: a W already in memory for it. */
  async loadManifest(manifest: PairManifest, device: Device, onProgress?: ProgressListener, plan?: PairPlan, head?: LoadOptions['head']): Promise<PairInfo> {
    const started = performance.now();
    const pair = await LensPair.load(manifest, this.loadOptions(device, onProgress, plan, head));
    await this.pair?.dispose();
    this.pair = pair;
    // A pair that ships its spectrum (`lens spectrum`) has its slider at once; any other is shown
    // first and embeds its PC1 sample afterwards, behind the page's requests (estimateDirection).
    const spectrum = pair.storedSpectrum;
    this.u1 = spectrum?.vectors[0];
    this.zu = this.u1 && project(pair.head, this.u1);
    this.directionApplied = false;
    this.scratch = new Float32Array(pair.head.rows);
    this.diffScratch = new Float32Array(pair.head.rows);
    this.current = undefined;
    this.layerSpectra = undefined;
    this.layerCache = undefined;
    this.info = {
      id: manifest.id,
      loadId: newLoadId(),
      name: manifest.name,
      description: manifest.description,
      device,
      dtype: pair.dtype,
      dtypes: plan?.available ?? [pair.dtype],
      vocabSize: pair.head.validRows,
      maxLength: manifest.maxLength,
      variation: spectrum?.variation ?? [],
      shares: spectrum?.shares ?? [],
      sampleSize: spectrum?.sampleSize ?? 0,
      loadMs: performance.now() - started,
      direction: spectrum ? 'ready' : 'estimating',
      weightsFrom: pair.weightsFrom,
    };
    this.directionTask = spectrum ? undefined : this.estimateDirection(pair, this.info.loadId);
    return this.info;
  }

  /** The loaded pair once its u₁ is known (at once for a pair that ships its spectrum); for batch use (the CLI). */
  async withDirection(): Promise<PairInfo> {
    const error = await this.directionTask;
    if (error) throw new Error(error);
    return this.info!;
  }

  /**
   * Embeds the pair's PC1 sample in the background; stops when another pair replaces it. The slider
   * moves once the first `earlyDirection` texts are in (PC1 of uncentered states is dominated by their
   * mean, and settles early); the whole sample refines it. Resolves to an error message, if any.
   */
  private async estimateDirection(pair: LensPair, loadId: string): Promise<string | undefined> {
    const total = pair.sample.length;
    const report = (progress: Omit<DirectionProgress, 'loadId' | 'total'>) => this.onDirection?.({ loadId, total, ...progress });
    const replaced = () => this.pair !== pair;
    const take = (spectrum: Spectrum, final: boolean) => {
      if (replaced()) return;
      const { variation, shares, sampleSize } = spectrum;
      if (!this.directionApplied) {
        this.u1 = spectrum.vectors[0];
        this.zu = project(pair.head, this.u1);
        this.info = { ...this.info!, variation, shares, sampleSize, direction: 'ready' };
      }
      report({ done: sampleSize, spectrum: { variation, shares, sampleSize }, final });
    };
    try {
      report({ done: 0 });
      const early = { after: this.earlyDirection, take: (spectrum: Spectrum) => take(spectrum, false) };
      const run = { background: true, isCancelled: replaced, beforeRun: () => this.quiet() };
      const spectrum = await pair.spectrum(20, (done) => report({ done }), run, early);
      take(spectrum, true);
    } catch (error) {
      if (replaced()) return undefined;
      const message = `PC1 could not be estimated from the pair's sample: ${(error as Error).message}`;
      report({ done: 0, error: message });
      return message;
    }
    return undefined;
  }

  /**
   * The WebGPU check's reference, computed without holding the pair twice: the pair
   * loads on WASM alone, embeds the canary text and is freed before the WebGPU load.
   * Returns its W too, for the WebGPU load to share.
   */
  async wasmReference(manifest: PairManifest, plan: PairPlan | undefined, onProgress?: ProgressListener): Promise<{ reference: CanaryReference; head: LensPair['head'] }> {
    const cpu = await LensPair.load(manifest, this.loadOptions('wasm', onProgress, plan));
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
    await this.pair?.dispose();
    this.pair = undefined;
    this.current = undefined;
    this.layerSpectra = undefined;
    this.layerCache = undefined;
  }

  /** The loaded pair, for analyses that run beside the explorer. */
  get loaded(): LensPair {
    if (!this.pair) throw new Error('No model pair is loaded yet.');
    return this.pair;
  }

  /** The current text's pooled states (for the contribution view). */
  get currentStates(): { ids: number[]; embed: Float32Array; base: Float32Array; u1: Float64Array } | undefined {
    return this.current && this.u1 ? { ids: this.current.ids, embed: this.current.embed, base: this.current.base, u1: this.u1 } : undefined;
  }

  /**
   * Replaces the slider's direction with one estimated elsewhere (e.g. the
   * Analysis view's dataset): zu = W u_1 is recomputed once.
   */
  setDirection(u1: ArrayLike<number>, computedOn: ComputedOn): void {
    const pair = this.loaded;
    const info = this.info!;
    if (computedOn.pairId !== info.id || computedOn.loadId !== info.loadId) {
      const which = computedOn.pairId === info.id ? 'an earlier load of this pair' : `the pair "${computedOn.pairId}"`;
      throw new Error(`This u₁ was computed on ${which}, not on the loaded pair "${info.id}": it is not applied.`);
    }
    if (u1.length !== pair.head.cols) {
      throw new Error(`This u₁ has ${u1.length} dimensions, but the loaded pair "${info.id}" has ${pair.head.cols}: it is not applied.`);
    }
    this.u1 = Float64Array.from(u1);
    this.zu = project(this.loaded.head, this.u1);
    this.directionApplied = true;
  }

  async align(requestId: number, rawText: string, k: number, lambda: number): Promise<AlignResult> {
    const started = performance.now();
    this.lastRequest = started;
    const pair = this.loaded;
    const text = rawText.slice(0, MAX_INPUT_CHARS);
    if (text.trim().length === 0) throw new Error('The text is empty: type or paste a text to see its aligned tokens.');
    const [encoded] = await pair.encode([text]);
    const zEmbed = project(pair.head, encoded.embed);
    const z0 = project(pair.head, encoded.base);
    this.current = { requestId, ids: encoded.ids, z0, zEmbed, embed: encoded.embed, base: encoded.base };
    this.lastRequest = performance.now(); // a slider drag often follows a new text
    return {
      requestId,
      tokens: pair.tokens.sequence(encoded.ids).map(({ shown, run }, i) => ({ id: encoded.ids[i], text: shown, ...(run && { run }) })),
      truncated: encoded.truncated,
      droppedChars: rawText.length - text.length,
      embed: this.column(zEmbed, encoded.ids, k),
      base: this.shifted(lambda, k),
      lambda,
      ms: performance.now() - started,
    };
  }

  isCurrent(requestId: number): boolean {
    return this.current?.requestId === requestId;
  }

  /** The base column at a new λ for the current text, or null if `requestId` is no longer current. */
  shift(requestId: number, lambda: number, k: number): ColumnResult | null {
    this.lastRequest = performance.now();
    if (!this.current || this.current.requestId !== requestId) return null;
    return this.shifted(lambda, k);
  }

  /** The base column at λ (at λ = 0 while the PC1 sample is still being embedded: there is no u₁ yet). */
  private shifted(lambda: number, k: number): ColumnResult {
    const { z0, ids } = this.current!;
    const z = lambda === 0 || !this.zu ? z0 : shiftScores(z0, this.zu, lambda, this.scratch);
    return this.column(z, ids, k);
  }

  /**
   * The token diff of the current text at λ, from the z vectors held (z0 + λ zu and
   * the embedder's z: no W·h). ~12 ms at V = 151,936 (two rank passes), so it is
   * asked for apart from the slider's tick (shift), once the slider rests.
   * Null when `requestId` is no longer current.
   */
  diff(requestId: number, lambda: number, k: number): TokenDiffView | null {
    this.lastRequest = performance.now();
    if (!this.current || this.current.requestId !== requestId) return null;
    const { z0, zEmbed } = this.current;
    const pair = this.loaded;
    const z = lambda === 0 || !this.zu ? z0 : shiftScores(z0, this.zu, lambda, this.scratch);
    const diff = tokenDiff(zEmbed, z, pair.head.validRows, k, this.diffScratch);
    const named = (rows: TokenDiff['risers']) => rows.map((r) => ({ ...r, text: pair.tokenText(r.id) }));
    return { requestId, lambda, risers: named(diff.risers), fallers: named(diff.fallers) };
  }

  /**
   * The layer view of a text: for each layer ℓ, both models' pooled states through
   * the final norm and W, ranked. The base at layer ℓ moves along that layer's own
   * PC1 u₁⁽ℓ⁾ (from the pair's sample) by λ_ℓ = (λ / v₁) · v₁⁽ℓ⁾: the slider's place
   * as a share of v₁, at each layer's own v₁. The deepest layer uses the slider's
   * own u₁ and λ, so its row equals the explorer's columns.
   */
  async layers(requestId: number, rawText: string, k: number, requestedLambda: number): Promise<LayerView> {
    this.lastRequest = performance.now();
    const pair = this.loaded;
    const lambda = this.zu ? requestedLambda : 0; // no u₁ yet (the sample is being embedded)
    const text = rawText.slice(0, MAX_INPUT_CHARS);
    if (text.trim().length === 0) throw new Error('The text is empty: type or paste a text to see its layers.');
    if (this.layerCache?.text !== text) this.layerCache = { text, encoding: await pair.encodeLayers([text], 1) };
    const { encoding } = this.layerCache;
    const { embed, base, reasons } = encoding;
    if (reasons.embed || reasons.base || embed.length === 0) return { requestId, rows: [], reasons };
    const ids = encoding.texts[0].ids;
    const content = uniqueIds(ids).filter(pair.isContent);
    const contentHit = (column: ColumnResult) => (content.length ? hitAtK(column.ids, content, k) : null);
    const spectra = lambda === 0 ? undefined : await this.sampleLayerSpectra();
    const v1 = this.info!.variation[0];
    const rows: LayerRow[] = [];
    for (let l = 0; l < embed.length; l++) {
      const deepest = l === embed.length - 1;
      const z0 = project(pair.head, base[l][0]);
      let lambdaL = 0;
      let z = z0;
      if (lambda !== 0) {
        const spectrum = deepest ? { u1: this.u1!, v1 } : spectra?.[l];
        if (!spectrum) throw new Error('This pair has no sample to estimate each layer’s PC1 from.');
        lambdaL = deepest ? lambda : v1 !== 0 ? (lambda / v1) * spectrum.v1 : 0;
        z = shiftScores(z0, deepest ? this.zu! : project(pair.head, spectrum.u1), lambdaL);
      }
      const embedColumn = this.column(project(pair.head, embed[l][0]), ids, k);
      const baseColumn = this.column(z, ids, k);
      rows.push({ layer: l + 1, embed: embedColumn, base: baseColumn, contentHit: { embed: contentHit(embedColumn), base: contentHit(baseColumn) }, lambda: lambdaL });
    }
    return { requestId, rows, reasons };
  }

  /** u₁⁽ℓ⁾ and v₁⁽ℓ⁾ of the pair's sample at every layer (once per load). */
  private sampleLayerSpectra(): Promise<{ u1: Float64Array; v1: number }[] | undefined> {
    const pair = this.loaded;
    this.layerSpectra ??= (async () => {
      if (pair.sample.length < 2) return undefined;
      const { embed, base } = await pair.encodeLayers(pair.sample, 32);
      return base.map((states, l) => {
        const pcs = topComponents(states, 1);
        return { u1: pcs.vectors[0], v1: variation(embed[l], states, pcs.vectors)[0] };
      });
    })();
    return this.layerSpectra;
  }

  private column(z: Float32Array, textIds: number[], k: number): ColumnResult {
    const pair = this.loaded;
    const view = alignedView(z, pair.head.validRows, textIds, k);
    return { ...view, tokens: view.ids.map((id) => ({ id, text: pair.tokenText(id) })) };
  }
}
