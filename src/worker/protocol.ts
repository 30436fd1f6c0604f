import type { FileProgress } from '../runtime/files';
import type { AlignResult, ColumnResult, PairInfo } from '../runtime/session';

export type { AlignResult, ColumnResult, FileProgress, PairInfo };
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';

/**
 * What the page may ask of the model worker (exposed with Comlink, which pairs
 * each call with its reply). Results carry the caller's requestId so the state
 * layer can drop replies that a newer request has overtaken.
 */
export interface LensWorkerApi {
  load(pairId: string, backend: BackendChoice, onProgress: (progress: FileProgress) => void): Promise<PairInfo>;
  align(requestId: number, text: string, k: number, lambda: number): Promise<AlignResult>;
  /** Base column at a new λ for the text of `requestId`; null when that text is no longer current. */
  shift(requestId: number, lambda: number, k: number): Promise<ColumnResult | null>;
}
