import { type AlignedView, alignedView } from '../core/align';
import { project } from '../core/lmHead';
import { shiftScores } from '../core/topk';
import type { BinaryReader, ProgressListener } from '../shared/files';
import type { HubClient } from './hub';
import type { Dtype } from '../shared/dtypes';
import type { PairManifest } from '../shared/manifest';
import { manifestFor } from '../shared/pairId';
import { type CanaryReference, type CanaryResult, canaryReference, checkCanary } from './canary';
import type { DownloadLog } from './downloadLog';
import { type Device, LensPair, type LoadOptions } from './pair';
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
}

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
  private current?: { requestId: number; ids: number[]; z0: Float32Array; embed: Float32Array; base: Float32Array };
  private scratch?: Float32Array;
  private info?: PairInfo;

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
    return { device, plan, read: this.read, onProgress, hub: this.hub, headCache: this.headCache, downloads: this.downloads, head };
  }

  /** Loads any pair: a catalog manifest or a custom Hub pair (customPairManifest). `head`: a W already in memory for it. */
  async loadManifest(manifest: PairManifest, device: Device, onProgress?: ProgressListener, plan?: PairPlan, head?: LoadOptions['head']): Promise<PairInfo> {
    const started = performance.now();
    const pair = await LensPair.load(manifest, this.loadOptions(device, onProgress, plan, head));
    const spectrum = pair.storedSpectrum ?? (await pair.spectrum());
    await this.pair?.dispose();
    this.pair = pair;
    this.u1 = spectrum.vectors[0];
    this.zu = project(pair.head, this.u1);
    this.scratch = new Float32Array(pair.head.rows);
    this.current = undefined;
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
      variation: spectrum.variation,
      shares: spectrum.shares,
      sampleSize: spectrum.sampleSize,
      loadMs: performance.now() - started,
    };
    return this.info;
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
  }

  async align(requestId: number, rawText: string, k: number, lambda: number): Promise<AlignResult> {
    const started = performance.now();
    const pair = this.loaded;
    const text = rawText.slice(0, MAX_INPUT_CHARS);
    if (text.trim().length === 0) throw new Error('The text is empty: type or paste a text to see its aligned tokens.');
    const [encoded] = await pair.encode([text]);
    const zEmbed = project(pair.head, encoded.embed);
    const z0 = project(pair.head, encoded.base);
    this.current = { requestId, ids: encoded.ids, z0, embed: encoded.embed, base: encoded.base };
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
    if (!this.current || this.current.requestId !== requestId) return null;
    return this.shifted(lambda, k);
  }

  private shifted(lambda: number, k: number): ColumnResult {
    const { z0, ids } = this.current!;
    const z = lambda === 0 ? z0 : shiftScores(z0, this.zu!, lambda, this.scratch);
    return this.column(z, ids, k);
  }

  private column(z: Float32Array, textIds: number[], k: number): ColumnResult {
    const pair = this.loaded;
    const view = alignedView(z, pair.head.validRows, textIds, k);
    return { ...view, tokens: view.ids.map((id) => ({ id, text: pair.tokenText(id) })) };
  }
}
