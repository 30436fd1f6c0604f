import { type AlignedView, alignedView } from '../core/align';
import { project } from '../core/lmHead';
import { shiftScores } from '../core/topk';
import type { BinaryReader, ProgressListener } from './files';
import type { HubClient } from './hub';
import type { PairManifest } from './manifest';
import { manifestFor } from './pairId';
import { type CanaryResult, compareBackends } from './canary';
import { type Device, LensPair, type LoadOptions } from './pair';
import type { Precision } from './precision';

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
  name: string;
  description?: string;
  device: Device;
  /** fp16 bodies on WebGPU when the adapter and the export allow it (precision.ts). */
  precision: Precision;
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

  constructor(
    private readonly read: BinaryReader,
    /** Where Hub pairs come from; the worker replaces it when the user picks another Hub URL. */
    public hub?: HubClient,
    public headCache?: LoadOptions['headCache'],
  ) {}

  /** Loads a pair by id: a catalog id, `eol:<hub id>` or `hub:<embed>;<base>;<pooling>[;<template>]` (see pairId.ts). */
  async load(pairId: string, device: Device, onProgress?: ProgressListener, precision: Precision = 'fp32'): Promise<PairInfo> {
    return this.loadManifest(await manifestFor(pairId, this.read), device, onProgress, precision);
  }

  /** Loads any pair: a catalog manifest or a custom Hub pair (customPairManifest). */
  async loadManifest(manifest: PairManifest, device: Device, onProgress?: ProgressListener, precision: Precision = 'fp32'): Promise<PairInfo> {
    const started = performance.now();
    const pair = await LensPair.load(manifest, { device, precision, read: this.read, onProgress, hub: this.hub, headCache: this.headCache });
    const spectrum = pair.storedSpectrum ?? (await pair.spectrum());
    await this.pair?.dispose();
    this.pair = pair;
    this.u1 = spectrum.vectors[0];
    this.zu = project(pair.head, this.u1);
    this.scratch = new Float32Array(pair.head.rows);
    this.current = undefined;
    return {
      id: manifest.id,
      name: manifest.name,
      description: manifest.description,
      device,
      precision,
      vocabSize: pair.head.validRows,
      maxLength: manifest.maxLength,
      variation: spectrum.variation,
      shares: spectrum.shares,
      sampleSize: spectrum.sampleSize,
      loadMs: performance.now() - started,
    };
  }

  /**
   * Loads a WASM twin of the current WebGPU pair and compares a canary text on
   * both (see canary.ts); the twin is disposed afterwards. `distort` perturbs the
   * GPU side's embedding first — a test seam for the fallback path.
   */
  async checkAgainstWasm(distort = false): Promise<CanaryResult> {
    const gpu = this.loaded;
    // The twin shares the loaded W: it is never held twice.
    const cpu = await LensPair.load(gpu.manifest, { device: 'wasm', read: this.read, hub: this.hub, headCache: this.headCache, head: gpu.head });
    try {
      if (!distort) return await compareBackends(gpu, cpu);
      const shifted = Object.create(gpu) as LensPair;
      shifted.encode = async (texts, batchSize, template) =>
        (await gpu.encode(texts, batchSize, template)).map((e) => ({ ...e, embed: e.embed.map((x, j) => (j % 2 ? -x : x)) }));
      return await compareBackends(shifted, cpu);
    } finally {
      await cpu.dispose();
    }
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
  setDirection(u1: ArrayLike<number>): void {
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
