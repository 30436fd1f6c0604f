/**
 * A fault as data: what crosses the worker boundary (worker/errorTransfer.ts) so that the page knows a
 * fault's kind, file and cause, not only its sentence. The sentence itself is built in runtime/faults.ts.
 */

/** Every kind of fault; runtime/faults.ts says what each one means and what the user does about it. */
export const FAULT_KINDS = [
  'unreachable',
  'server',
  'cut-off',
  'bad-content',
  'bad-file',
  'not-found',
  'no-repo',
  'no-revision',
  'unauthorized',
  'stalled',
  'invalid-id',
  'invalid-url',
  'no-range',
  'too-large',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault reported to the page: plain data, structured-cloneable. */
export interface FaultReport {
  kind: FaultKind;
  /** The sentence the user reads (the outermost error's: it may add what the load did about the cache). */
  message: string;
  /** Whether loading again, unchanged, may succeed (runtime/faults.ts RETRY_HELPS): the page offers Retry. */
  retryable: boolean;
  /** The Hub repo and the file in it, where the fault names one. */
  repo?: string;
  file?: string;
  url?: string;
  status?: number;
  /** The words of what caused it (a network error, the allocator), where there is one. */
  cause?: string;
}
