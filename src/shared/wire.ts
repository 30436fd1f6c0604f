/**
 * What the model worker sends the page about a pair and a text: the explorer's results.
 *
 * Pure data, shared by both sides of the worker boundary: the runtime (runtime/session.ts) builds
 * these values, the page (src/state, src/ui) reads them through worker/protocol.ts. Neither side
 * reaches across to the other's modules for them. Every array here crosses the boundary by
 * structured clone, so nothing holds a model or a closure.
 */
import type { AlignedView } from '../core/align';
import type { TokenDiff } from '../core/tokenDiff';
import type { Dtype } from './dtypes';

/** Where the models run. */
export type Device = 'webgpu' | 'wasm' | 'cpu';

/**
 * Where onnxruntime read the bodies' weights from while it built their sessions: 'disk cache' when every
 * Hub body's external data went as a Blob read from the browser's cache (runtime/loadPair.ts), else
 * 'bytes' held in the tab.
 */
export type WeightsSource = 'disk cache' | 'bytes';

/** The WebGPU-vs-WASM check of a pair loaded on WebGPU (runtime/canary.ts). */
export interface CanaryResult {
  ok: boolean;
  /** Cosine of the two backends' embeddings (embedder and base, the lower). */
  cosine: number;
  sameTopIds: boolean;
  reason?: string;
}

export interface TokenInfo {
  id: number;
  /** Readable: a token that is not valid UTF-8 on its own shows its bytes, `<0xE2><0x80>` (runtime/tokenReader.ts). */
  text: string;
  /** On the first token of a run of tokens that together form characters: its length and their text. */
  run?: { length: number; text: string };
}

export interface ColumnResult extends AlignedView {
  tokens: TokenInfo[];
  /**
   * Hit@k and LAR over the text's content tokens only (core/content.ts: no punctuation, stop word or frequent
   * token), the explorer's default; null when the text has none.
   */
  content: { hit: number; lar: number } | null;
  /** The top k with byte and special tokens left out (core/tokenFilter.ts), what the token filter shows. */
  filtered: { ids: number[]; scores: number[]; tokens: TokenInfo[]; hidden: number };
}

/** One point of the λ curve (core/lambdaCurve.ts): content Hit@k of the base at λ and its top-k overlap with the embedder. */
export interface CurvePoint {
  lambda: number;
  contentHit: number | null;
  overlap: number;
}

export interface LambdaCurveView {
  requestId: number;
  k: number;
  /** v₁ of the direction the curve was computed along (directionV1), and the base column at λ = v₁. */
  v1: number;
  points: CurvePoint[];
  atV1: ColumnResult;
}

export type DiffToken = TokenDiff['risers'][number] & { text: string };

/**
 * The tokens whose score rises / falls most from the base ranking (at λ) to the
 * embedder's, each z standardised over the vocabulary (core/tokenDiff.ts).
 */
export interface TokenDiffView {
  requestId: number;
  lambda: number;
  /** Byte and special tokens were left out of both lists (the token filter). */
  filtered: boolean;
  risers: DiffToken[];
  fallers: DiffToken[];
  /** With `filtered`: how many byte and special tokens rose / fell more than the last ones listed. */
  hidden: { risers: number; fallers: number };
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
  /** How many characters of the text the model reads (runtime/charsRead.ts): the text's length unless `truncated`. */
  charsRead: number;
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
  /** The template the embedder reads each text through (the manifest's `embed.template`; `{text}`: none). */
  template: string;
  device: Device;
  /** The bodies' ONNX variant (dtypes.ts): q8 on WASM, half floats on WebGPU with shader-f16, where the repos have them. */
  dtype: Dtype;
  /** Dtypes both bodies have (the picker offers these). */
  dtypes: Dtype[];
  vocabSize: number;
  maxLength: number;
  loadMs: number;
  /** Why the pair runs on another backend than asked (WebGPU check failed, device lost). */
  notice?: string;
  /** The WebGPU-vs-WASM check at load, when WebGPU was used. */
  canary?: CanaryResult;
  /** The slider's direction: as the worker holds it now (a DirectionUpdate tells the page each change). */
  direction: DirectionState;
  /** Where onnxruntime read the bodies' weights from. */
  weightsFrom: WeightsSource;
}

/**
 * Where the slider's u₁ comes from (runtime/direction.ts, which also ranks them): the pair's shipped spectrum
 * (`lens spectrum`); its sample, embedded after this load; an analysis the user applied; a spectrum file the user
 * opened (`lens spectrum`'s JSON: a file, or a URL).
 */
export type DirectionSource = 'shipped' | 'sample' | 'analysis' | 'file';

/**
 * The slider's PC1 direction as the page is shown it: the one shape the worker emits (DirectionUpdate, PairInfo)
 * and the page stores as it comes. u₁ itself stays in the worker (runtime/session.ts).
 */
export type DirectionState =
  /**
   * The pair ships no spectrum: its sample is being embedded after the pair is shown, and the slider waits until
   * u₁ settles; `movedDegrees`: how far u₁ moved over the last few texts (direction.ts SETTLE), once it can say.
   */
  | { state: 'estimating'; done: number; total: number; movedDegrees?: number }
  /** The pair's sample could not give u₁: the slider waits for one applied from an analysis or a spectrum file. */
  | { state: 'failed'; reason: string }
  | {
      state: 'ready';
      source: DirectionSource;
      /** Read back from what an earlier visit kept (runtime/direction.ts SpectrumStore), not computed or opened in this one. */
      kept?: true;
      /** What u₁ was read from, in words: a spectrum file's name or URL ('file'), an analysis's texts ("the 60 texts of STS-B test"). */
      origin?: string;
      /**
       * v_1..v_n of the spectrum u₁ came from. v₁ (directionV1) is the one scale of λ: the slider's marker and
       * range, the λ curve and the Layers view all read it here.
       */
      variation: number[];
      /** Each component's share of the base embeddings' energy. */
      shares: number[];
      /** Texts the spectrum was computed from. */
      sampleSize: number;
      /** The pair's sample is still being embedded in the background (after its first texts gave u₁). */
      refining?: { done: number; total: number };
      /** Degrees between the sample's u₁ before its last update and after it: how stable the estimate is as it sharpens. */
      lastMoveDegrees?: number;
      /** A spectrum file's: why its u₁ may differ a little from the pair's own (another dtype, backend or sample). */
      notice?: string;
    };

export type ReadyDirection = Extract<DirectionState, { state: 'ready' }>;

/** v₁ of the slider's direction, the one scale of λ; 0 while there is none. */
export const directionV1 = (direction: DirectionState): number => (direction.state === 'ready' ? (direction.variation[0] ?? 0) : 0);

/** A change of a load's direction, as the worker tells the page. */
export interface DirectionUpdate {
  loadId: string;
  direction: DirectionState;
  /** u₁ itself changed, not only the progress shown with it: a base column at λ ≠ 0 moves. */
  newU1: boolean;
}

/** What an analysis applied to the slider brings (LensWorkerApi.setDirection): its u₁ and spectrum, and its texts in words. */
export interface AppliedAnalysis {
  u1: number[];
  variation: number[];
  shares: number[];
  sampleSize: number;
  /** "the 60 texts of STS-B test". */
  origin: string;
}

/** Which pair, and which load of it, a direction (or any result) was computed on. */
export interface ComputedOn {
  pairId: string;
  loadId: string;
}
