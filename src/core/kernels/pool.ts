/**
 * Splits one projection's rows across threads: worker_threads in Node, Web
 * Workers in the browser (the app is cross-origin isolated, so W's kernel
 * memory can be a SharedArrayBuffer that every thread reads in place; nothing
 * is copied to the workers). `project()` stays synchronous: the calling thread
 * wakes the workers through Atomics, takes blocks of rows itself, and waits
 * for the rest. Until a pool is up (workers start asynchronously), or where
 * threads are unavailable, the caller simply runs the whole kernel alone.
 */

/** Int32 slots of the control block at the start of a shared kernel memory (bytes 0..63). */
export const CTRL = {
  GEN: 0,
  DONE: 1,
  READY: 2,
  STOP: 3,
  KIND: 4,
  ROWS: 5,
  COLS: 6,
  WPTR: 7,
  XPTR: 8,
  OUTPTR: 9,
  SCALE: 10,
  NEXT: 11,
  BLOCK: 12,
  BUSY: 13,
} as const;

/** Job kinds; 3 is the bench's bandwidth floor (rowsum_f32: read W, no multiplies). */
export const KIND = { float32: 0, bfloat16: 1, float16: 2, rowsum: 3 } as const;

export interface KernelFunctions {
  proj_f32(w: number, x: number, rows: number, cols: number, out: number): void;
  proj_bf16(w: number, x: number, rows: number, cols: number, out: number): void;
  proj_f16(w: number, x: number, rows: number, cols: number, out: number, scale: number): void;
  rowsum_f32(w: number, x: number, rows: number, cols: number, out: number): void;
}

/**
 * Takes blocks of rows from the shared counter until none are left. The same
 * function body runs in the workers (as source text, see WORKER_SOURCE), so it
 * must not close over anything.
 */
export function takeBlocks(k: KernelFunctions, u: Uint32Array, f: Float32Array): void {
  const kind = u[4];
  const rows = u[5];
  const cols = u[6];
  const block = u[12];
  const bytes = kind === 0 || kind === 3 ? 4 : 2;
  for (;;) {
    const r0 = Atomics.add(u, 11, 1) * block;
    if (r0 >= rows) return;
    const n = Math.min(block, rows - r0);
    const w = u[7] + r0 * cols * bytes;
    const out = u[9] + r0 * 4;
    if (kind === 0) k.proj_f32(w, u[8], n, cols, out);
    else if (kind === 1) k.proj_bf16(w, u[8], n, cols, out);
    else if (kind === 2) k.proj_f16(w, u[8], n, cols, out, f[10]);
    else k.rowsum_f32(w, u[8], n, cols, out);
  }
}

const WORKER_LOOP = `
const takeBlocks = ${takeBlocks.toString()};
function serve(module, memory) {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const u = new Uint32Array(memory.buffer, 0, 16);
  const c = new Int32Array(memory.buffer, 0, 16);
  const f = new Float32Array(memory.buffer, 0, 16);
  let gen = Atomics.load(c, ${CTRL.GEN});
  Atomics.add(c, ${CTRL.READY}, 1);
  for (;;) {
    Atomics.wait(c, ${CTRL.GEN}, gen);
    gen = Atomics.load(c, ${CTRL.GEN});
    if (Atomics.load(c, ${CTRL.STOP})) return;
    takeBlocks(k, u, f);
    Atomics.add(c, ${CTRL.DONE}, 1);
    Atomics.notify(c, ${CTRL.DONE});
  }
}
`;

const NODE_WORKER = `${WORKER_LOOP}
require('node:worker_threads').parentPort.once('message', (m) => serve(m.module, m.memory));`;
const WEB_WORKER = `${WORKER_LOOP}
self.onmessage = (e) => serve(e.data.module, e.data.memory);`;

export interface Pool {
  workers: number;
  ready(): boolean;
  whenReady: Promise<void>;
  /** Runs the job already written into the control block on all threads; false if the pool failed. */
  run(k: KernelFunctions, u: Uint32Array, f: Float32Array): boolean;
  stop(): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Threads the machine offers, counting the caller; 1 where threads are unavailable. */
export async function availableThreads(): Promise<number> {
  if (typeof SharedArrayBuffer === 'undefined') return 1;
  if (isNode) {
    const wanted = Number(process.env.LENS_KERNEL_THREADS);
    if (Number.isInteger(wanted) && wanted > 0) return wanted;
    const osModule = 'node:os';
    const os = (await import(/* @vite-ignore */ osModule)) as typeof import('node:os');
    return Math.min(8, os.availableParallelism?.() ?? os.cpus().length);
  }
  if (typeof Worker === 'undefined' || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return 1;
  return Math.min(8, globalThis.navigator?.hardwareConcurrency ?? 1);
}

/** Longest a caller waits for the workers before it gives the pool up and computes alone. */
const STALL_MS = 5000;

export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number): Promise<Pool> {
  const control = new Int32Array(memory.buffer, 0, 16);
  const handles: { terminate(): unknown }[] = [];
  if (isNode) {
    const threadsModule = 'node:worker_threads';
    const { Worker: NodeWorker } = (await import(/* @vite-ignore */ threadsModule)) as typeof import('node:worker_threads');
    for (let i = 0; i < workers; i++) {
      const worker = new NodeWorker(NODE_WORKER, { eval: true });
      worker.unref();
      worker.postMessage({ module, memory });
      handles.push(worker);
    }
  } else {
    const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(url);
      worker.postMessage({ module, memory });
      handles.push(worker);
    }
  }
  let broken = false;
  const ready = () => !broken && Atomics.load(control, CTRL.READY) >= workers;
  const whenReady = (async () => {
    const started = Date.now();
    while (!ready() && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
  })();
  const stop = () => {
    broken = true;
    Atomics.store(control, CTRL.STOP, 1);
    Atomics.add(control, CTRL.GEN, 1);
    Atomics.notify(control, CTRL.GEN);
    for (const h of handles) h.terminate();
  };
  const run = (k: KernelFunctions, u: Uint32Array, f: Float32Array): boolean => {
    if (!ready()) return false;
    Atomics.store(control, CTRL.DONE, 0);
    Atomics.store(control, CTRL.NEXT, 0);
    Atomics.add(control, CTRL.GEN, 1);
    Atomics.notify(control, CTRL.GEN);
    takeBlocks(k, u, f);
    const started = performance.now();
    for (;;) {
      const done = Atomics.load(control, CTRL.DONE);
      if (done >= workers) return true;
      if (performance.now() - started > STALL_MS) {
        stop();
        return false;
      }
      try {
        Atomics.wait(control, CTRL.DONE, done, 50);
      } catch {
        // Atomics.wait is not allowed on a browser's main thread: spin there.
      }
    }
  };
  return { workers, ready, whenReady, run, stop };
}
