import { workerOptionsFrom } from '../shared/linkSchema';

/**
 * What the model worker makes of the start-up options the page hands it in its name (state/lensClient.ts;
 * each option is declared, parsed and checked in shared/linkSchema.ts: `?threads=N` becomes `threads=N`).
 */

/**
 * How many threads onnxruntime-web runs a model on.
 *
 * Left to itself it takes half the logical cores (at most 4), leaving the rest to the page. Here the worker is
 * where the work is and the page mostly waits for it, so it takes every core, up to onnxruntime's own cap of 4:
 * on a 2-core machine that is two threads instead of one (bench realsize --threads: docs/benchmarks.md). Threads
 * need SharedArrayBuffer (a cross-origin-isolated page that has it); elsewhere it is one thread whatever is asked.
 * `threads=N` (the page's `?threads=N`) overrides the choice, for measuring.
 */
export const MAX_ORT_THREADS = 4;

export function ortThreads(options: { workerName: string; isolated: boolean; cores: number | undefined }): number {
  if (!options.isolated) return 1;
  const asked = workerOptionsFrom(options.workerName).threads;
  if (asked !== undefined) return Math.min(asked, MAX_ORT_THREADS);
  return Math.max(1, Math.min(MAX_ORT_THREADS, options.cores ?? 1));
}

/** Most texts per run while the PC1 sample is read before the slider moves. */
export const MAX_SAMPLE_BATCH = 32;

/**
 * Texts per model run while the base model reads the PC1 sample before the slider moves, where `batch=N` (the page's
 * `?batch=N`) asks for other than the measured default (runtime/direction.ts EARLY_BATCH): for measuring batch sizes
 * on a backend (bench realsize --batch=N) without a build per size.
 */
export function sampleBatch(workerName: string): number | undefined {
  const asked = workerOptionsFrom(workerName).batch;
  return asked === undefined ? undefined : Math.min(asked, MAX_SAMPLE_BATCH);
}

/** The browser step that never settles, for the load watchdog's test (`debug=stall-download`: worker/steps.ts). */
export const stalledStep = (workerName: string): 'download' | undefined => (workerOptionsFrom(workerName).debug === 'stall-download' ? 'download' : undefined);

/** Whether the page asked to keep onnxruntime-web off its JSPI build (`ort=nojspi`: worker/ortRuntime.ts). */
export const jspiRefused = (workerName: string): boolean => workerOptionsFrom(workerName).ort === 'nojspi';
