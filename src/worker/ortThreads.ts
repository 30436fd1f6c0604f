/**
 * How many threads onnxruntime-web runs a model on.
 *
 * Left to itself it takes half the logical cores (at most 4), leaving the rest to the page. Here the worker is
 * where the work is and the page mostly waits for it, so it takes every core, up to onnxruntime's own cap of 4:
 * on a 2-core machine that is two threads instead of one (bench realsize --threads: docs/benchmarks.md). Threads
 * need SharedArrayBuffer, i.e. a cross-origin-isolated page; elsewhere it is one thread whatever is asked.
 * `threads=N` in the worker's name (the page's `?threads=N`) overrides the choice, for measuring.
 */
export const MAX_ORT_THREADS = 4;

export function ortThreads(options: { workerName: string; isolated: boolean; cores: number | undefined }): number {
  if (!options.isolated) return 1;
  const asked = Number(/(?:^| )threads=(\d+)(?: |$)/.exec(options.workerName)?.[1]);
  if (Number.isInteger(asked) && asked >= 1) return Math.min(asked, MAX_ORT_THREADS);
  return Math.max(1, Math.min(MAX_ORT_THREADS, options.cores ?? 1));
}
