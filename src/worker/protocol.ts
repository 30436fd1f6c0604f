import type { ContributionRow, DatasetAnalysis, SimilarityResult, TemplatedView } from '../runtime/analyses';
import type { LoadEstimate } from '../runtime/estimate';
import type { CachedModel } from '../runtime/modelCache';
import type { BuildProgress, IndexSummary, ResultView, RetrievalEvaluation, RetrievalWorkerApi, SearchView } from '../runtime/retrieval';
import type { FileProgress, PlannedFiles } from '../shared/files';
import type { Outcome } from '../shared/outcome';
import type {
  AlignResult,
  AppliedAnalysis,
  ColumnResult,
  ComputedOn,
  CurvePoint,
  DiffToken,
  DirectionState,
  DirectionUpdate,
  LambdaCurveView,
  LayerRow,
  LayerView,
  PairInfo,
  ReadyDirection,
  TokenDiffView,
  TokenInfo,
} from '../shared/wire';

export type { Dtype } from '../shared/dtypes';
export { DTYPES } from '../shared/dtypes';
export type { FaultKind, FaultReport } from '../shared/faultReport';
export type { BackendChoice } from '../shared/linkSchema';
export { directionV1 } from '../shared/wire';
// How a rejected call carries its fault to the page: both ends register the same Comlink handler.
export { faultOf, registerErrorTransfer, WorkerError } from './errorTransfer';
export type {
  AlignResult,
  AppliedAnalysis,
  BuildProgress,
  CachedModel,
  ColumnResult,
  ComputedOn,
  ContributionRow,
  CurvePoint,
  DatasetAnalysis,
  DiffToken,
  DirectionState,
  DirectionUpdate,
  FileProgress,
  IndexSummary,
  LambdaCurveView,
  LayerRow,
  LayerView,
  LoadEstimate,
  Outcome,
  PairInfo,
  PlannedFiles,
  ReadyDirection,
  ResultView,
  RetrievalEvaluation,
  SearchView,
  SimilarityResult,
  TemplatedView,
  TokenDiffView,
  TokenInfo,
};

import type { Dtype } from '../shared/dtypes';
import type { BackendChoice } from '../shared/linkSchema';

/** The model worker's first message, posted once its module has run (state/workerStart.ts waits for it). */
export const WORKER_READY = { lensWorker: 'ready' } as const;
export const isWorkerReady = (data: unknown) => (data as { lensWorker?: unknown } | null)?.lensWorker === 'ready';

/**
 * One step of a load as the worker sees it (the page's load watchdog, state/watchdog.ts): a step begins,
 * may report progress (bytes arriving), and ends, settled either way. `label` names it for the status line:
 * "the browser's cache storage", "models/demo/manifest.json", "building the onnxruntime session".
 */
export interface LoadStep {
  id: number;
  event: 'begin' | 'progress' | 'end';
  label: string;
}

/**
 * What the page may ask of the model worker (exposed with Comlink, which pairs
 * each call with its reply). Results carry the caller's requestId so the state
 * layer can drop replies that a newer request has overtaken.
 */
export interface LensWorkerApi extends RetrievalWorkerApi {
  /** Loads a pair by id (catalog id, `eol:…` or `hub:…`); `hubUrl` is where Hub pairs come from. */
  load(
    pairId: string,
    backend: BackendChoice,
    onProgress: (progress: FileProgress) => void,
    hubUrl?: string,
    options?: { distortWebgpu?: boolean; dtype?: Dtype },
  ): Promise<PairInfo>;
  /** Hears every step of every load (state/watchdog.ts): a step that makes no progress for a while is named on the status line. */
  onSteps(callback: (steps: LoadStep[]) => void): Promise<void>;
  /** Hears each change of a load's direction (PairInfo.direction): the PC1 sample's progress, a new u₁. */
  onDirection(callback: (update: DirectionUpdate) => void): Promise<void>;
  /** Called when the WebGPU device is lost (the page then restarts the worker on WASM). */
  onDeviceLost(callback: (reason: string) => void): Promise<void>;
  /** Destroys the WebGPU device (the `debug=lose-device` test seam). */
  loseDevice(): Promise<void>;
  /**
   * The files a load of this pair reads, with their sizes (HEAD requests under the model root): the loading
   * panel's total. A Hub pair's list is empty and not complete (its sizes come from `estimate`). Asked with the
   * arguments of the `load` that follows, which then reads nothing twice.
   */
  plannedFiles(pairId: string, backend: BackendChoice, hubUrl?: string, dtype?: Dtype): Promise<PlannedFiles>;
  /** For each catalog id, whether the pair can load from here (runtime/pairFiles.ts: SGPT not before its export). */
  catalogAvailability(): Promise<Record<string, boolean>>;
  /** What backend=auto picks in this browser (the same adapter check a load makes), and whether that adapter has shader-f16. */
  autoBackend(): Promise<{ device: 'webgpu' | 'wasm'; shaderF16: boolean }>;
  /** Download sizes, dtypes and memory need of a pair, before loading it (HEAD requests only). */
  estimate(pairId: string, hubUrl?: string, backend?: BackendChoice, dtype?: Dtype): Promise<LoadEstimate>;
  listCache(): Promise<CachedModel[]>;
  deleteCached(repo: string | null): Promise<void>;
  align(requestId: number, text: string, k: number, lambda: number): Promise<AlignResult>;
  /** Base column at a new λ for the text of `requestId`; null when that text is no longer current. */
  shift(requestId: number, lambda: number, k: number): Promise<ColumnResult | null>;
  /** Tokens fine-tuning promoted / suppressed for the text of `requestId` at λ; null when that text is no longer current. */
  diff(requestId: number, lambda: number, k: number, filtered?: boolean): Promise<TokenDiffView | null>;
  /**
   * Content Hit@k and top-k overlap with the embedder along λ ∈ [-bound, bound] for the text of `requestId`, and the
   * base column at the direction's own v₁; null when not current or no u₁ yet.
   */
  curve(requestId: number, k: number, bound: number): Promise<LambdaCurveView | null>;
  /** The layer view of a text: each layer's top tokens of both models (rows empty, with reasons, where a graph has no layers). */
  layers(requestId: number, text: string, k: number, lambda: number): Promise<LayerView>;

  /** Dataset analysis with progress; a `cancelled` outcome once cancelAnalysis(runId) is called. */
  analyzeDataset(runId: number, texts: string[], k: number, onProgress: (done: number, total: number) => void): Promise<Outcome<DatasetAnalysis>>;
  cancelAnalysis(runId: number): Promise<void>;
  /**
   * Makes the explorer's slider move along a dataset analysis's u₁, scaled by its v₁; resolves to the direction
   * now shown. Rejects, naming the cause, when `computedOn` is not the loaded pair and load, or u₁'s width is not d.
   */
  setDirection(analysis: AppliedAnalysis, computedOn: ComputedOn): Promise<ReadyDirection>;
  /** The slider's u₁ and where it came from (a saved view keeps an analysis's); null while there is none. */
  sliderDirection(): Promise<{ u1: number[]; shown: ReadyDirection } | null>;
  /**
   * Makes the explorer's slider move along the u₁ of a spectrum file written by `lens spectrum`: its text and name
   * (a file the user picked), or an absolute URL the worker fetches. Rejects with one sentence naming the cause (not a
   * spectrum, an HTML page, a 404, another pair's, another width) and the direction stays; runtime/session.ts openSpectrum.
   */
  openSpectrum(source: { text: string; name: string } | { url: string }, computedOn: ComputedOn): Promise<ReadyDirection>;
  /** How many characters of `text` the loaded pair reads (runtime/charsRead.ts): all of them unless it has more tokens than the context. */
  charsRead(text: string): Promise<number>;
  /** PC1 / rest split of the current text's top logits, the base's at λ; null when `requestId` is no longer current. */
  contributions(requestId: number, k: number, lambda: number): Promise<{ embed: ContributionRow[]; base: ContributionRow[]; lambda: number } | null>;
  compareTemplates(text: string, templates: string[], k: number): Promise<TemplatedView[]>;
  compareTexts(textA: string, textB: string, k: number): Promise<SimilarityResult>;
}
