/**
 * The fast path behind `project()` (src/core/lmHead.ts): z = W h with WebAssembly
 * SIMD (projection.wat), in Node and in the browser's model worker alike.
 *
 * A WebAssembly kernel can only read its own memory, so a head that is to take
 * the fast path keeps W *in* that memory from the start (`allocKernelStorage`):
 * one memory per head, sized once and never grown (growing would detach the
 * typed-array view that is `head.data`). Where SharedArrayBuffer exists (Node;
 * the cross-origin-isolated app) that memory is shared, and for a large W a pool
 * of threads (pool.ts) reads it in place, each taking blocks of rows. W is
 * therefore held exactly once; the only copies per call are h in (d floats) and
 * z out (V floats).
 */
import type { HeadDtype } from '../headDtype';
import { availableThreads, CTRL, type KernelFunctions, KIND, type Pool, startPool } from './pool';
import { PROJECTION_SHARED_WASM_BASE64, PROJECTION_WASM_BASE64 } from './projection.wasm';

interface KernelExports extends KernelFunctions {
  f16_nonfinite(p: number, n: number): number;
}

interface KernelState {
  kernel: KernelExports;
  dtype: HeadDtype;
  rows: number;
  cols: number;
  xPtr: number;
  outPtr: number;
  wPtr: number;
  x: Float32Array;
  z: Float32Array;
  /** The control block (shared memories only) and the pool of threads, once started. */
  u?: Uint32Array;
  f?: Float32Array;
  pool?: Pool;
  /** Recent times with and without the pool: on a busy machine one thread can be faster. */
  tune: Tuner;
  readTune: Tuner;
  /** float16 only: W has no inf / NaN halves (checked on first use). */
  finite?: boolean;
}

const PAGE = 65536;
/** wasm32 memories stop at 4 GiB (65,536 pages). */
const MAX_PAGES = 65536;
/** x, and then each sum, is scaled by 2^56 for float16 storage (see proj_f16 in projection.wat). */
const F16_SCALE = 2 ** 56;
/** Above this |h|, x · 2^56 could overflow f32: such calls take the plain path. */
const F16_MAX_ABS_H = 2 ** 70;

/** Heads with at least this many weights get a pool of threads (smaller ones finish in well under a millisecond). */
const THREADS_MIN_WEIGHTS = 1 << 22;

let compiled: WebAssembly.Module | null | undefined;
let compiledShared: WebAssembly.Module | null | undefined;
const states = new WeakMap<ArrayBufferLike, KernelState>();
/** Stops a head's threads once its W (the typed array) is garbage. */
const pools = typeof FinalizationRegistry === 'undefined' ? undefined : new FinalizationRegistry<Pool>((pool) => pool.stop());

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled kernel module, or null where WebAssembly SIMD is unavailable (or disabled). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const disabled = typeof process !== 'undefined' && process.env?.LENS_NO_SIMD === '1';
    const bytes = decodeBase64(PROJECTION_WASM_BASE64);
    // The module is ~1.5 KB, under the 4 KB limit browsers put on synchronous compiles.
    if (!disabled && typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** The same kernels over a shared memory (for threads), or null without SharedArrayBuffer. */
function sharedKernelModule(): WebAssembly.Module | null {
  if (compiledShared !== undefined) return compiledShared;
  compiledShared = null;
  try {
    if (kernelModule() && typeof SharedArrayBuffer !== 'undefined') {
      const bytes = decodeBase64(PROJECTION_SHARED_WASM_BASE64);
      if (WebAssembly.validate(bytes)) compiledShared = new WebAssembly.Module(bytes);
    }
  } catch {
    compiledShared = null;
  }
  return compiledShared;
}

export function kernelAvailable(): boolean {
  return kernelModule() !== null;
}

function newMemory(pages: number): { memory: WebAssembly.Memory; module: WebAssembly.Module; shared: boolean } | undefined {
  const shared = sharedKernelModule();
  if (shared) {
    try {
      return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }), module: shared, shared: true };
    } catch {
      // not cross-origin isolated, or no room: try an unshared memory
    }
  }
  const module = kernelModule();
  if (!module) return undefined;
  try {
    return { memory: new WebAssembly.Memory({ initial: pages, maximum: pages }), module, shared: false };
  } catch {
    return undefined;
  }
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * Storage for a rows × cols W inside a new kernel memory, or undefined where
 * the kernel is unavailable or W does not fit a wasm32 memory. Fill it, then
 * build the head with `makeLmHead` (or use `allocLmHead`).
 */
export function allocKernelStorage(dtype: HeadDtype, rows: number, cols: number): Float32Array | Uint16Array | undefined {
  if (!kernelModule() || rows <= 0 || cols <= 0) return undefined;
  const bytesPer = dtype === 'float32' ? 4 : 2;
  const xPtr = 64;
  const outPtr = xPtr + align16(cols * 4);
  const wPtr = outPtr + align16(rows * 4);
  const total = wPtr + rows * cols * bytesPer;
  const pages = Math.ceil(total / PAGE);
  if (pages > MAX_PAGES) return undefined;
  const made = newMemory(pages);
  if (!made) return undefined; // out of address space or memory: the plain path still works
  const { memory, module, shared } = made;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory } });
  } catch {
    return undefined;
  }
  const buffer = memory.buffer;
  const data = dtype === 'float32' ? new Float32Array(buffer, wPtr, rows * cols) : new Uint16Array(buffer, wPtr, rows * cols);
  const state: KernelState = {
    kernel: instance.exports as unknown as KernelExports,
    dtype,
    rows,
    cols,
    xPtr,
    outPtr,
    wPtr,
    x: new Float32Array(buffer, xPtr, cols),
    z: new Float32Array(buffer, outPtr, rows),
    tune: newTuner(),
    readTune: newTuner(),
  };
  states.set(buffer, state);
  if (shared && rows * cols >= THREADS_MIN_WEIGHTS) {
    state.u = new Uint32Array(buffer, 0, 16);
    state.f = new Float32Array(buffer, 0, 16);
    state.pool = undefined;
    const starting = availableThreads().then(async (threads) => {
      if (threads < 2) return;
      const pool = await startPool(module, memory, threads - 1);
      state.pool = pool;
      pools?.register(data, pool);
      await pool.whenReady;
    });
    threadStarts.set(
      data,
      starting.catch(() => undefined),
    );
  }
  return data;
}

const threadStarts = new WeakMap<object, Promise<void>>();

/**
 * Resolves once the head's threads (if it gets any) are ready; `project()`
 * works before that too, on the calling thread alone.
 */
export async function kernelThreadsReady(head: HeadLike): Promise<number> {
  await threadStarts.get(head.data);
  const state = stateOf(head);
  return state?.pool?.ready() ? state.pool.workers + 1 : 1;
}

interface HeadLike {
  rows: number;
  cols: number;
  dtype: HeadDtype;
  data: Float32Array | Uint16Array;
}

function stateOf(head: HeadLike): KernelState | undefined {
  const state = states.get(head.data.buffer);
  if (!state) return undefined;
  if (state.dtype !== head.dtype || state.rows !== head.rows || state.cols !== head.cols) return undefined;
  if (head.data.byteOffset !== state.wPtr || head.data.length !== state.rows * state.cols) return undefined;
  return state;
}

/** True when `head.data` lives in a kernel memory, i.e. `project()` takes the fast path. */
export function usesKernel(head: HeadLike): boolean {
  const state = stateOf(head);
  if (!state) return false;
  if (state.dtype === 'float16') {
    state.finite ??= state.kernel.f16_nonfinite(state.wPtr, state.rows * state.cols) === 0;
    return state.finite;
  }
  return true;
}

/**
 * z = W h with the kernel into `out`; false (nothing written) when this head or
 * this h must take the plain path.
 */
export function projectWithKernel(head: HeadLike, h: ArrayLike<number>, out: Float32Array): boolean {
  if (!usesKernel(head)) return false;
  const state = stateOf(head)!;
  const { cols, rows, x, kernel } = state;
  if (h.length !== cols || out.length < rows) return false;
  if (state.dtype === 'float32') {
    for (let j = 0; j < cols; j++) x[j] = h[j];
  } else {
    let maxAbs = 0;
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(h[j]);
      if (!(a <= maxAbs)) maxAbs = a; // also catches NaN
    }
    const f16 = state.dtype === 'float16';
    if (f16 && !(maxAbs < F16_MAX_ABS_H)) return false;
    const scale = f16 ? F16_SCALE : 1;
    // Deinterleave each run of 8 as (x0 x2 x4 x6 | x1 x3 x5 x7): see projection.wat.
    const main = cols & ~15;
    for (let c = 0; c < main; c += 8) {
      for (let k = 0; k < 4; k++) {
        x[c + k] = Math.fround(h[c + 2 * k]) * scale;
        x[c + 4 + k] = Math.fround(h[c + 2 * k + 1]) * scale;
      }
    }
    for (let j = main; j < cols; j++) x[j] = Math.fround(h[j]) * scale;
  }
  timed(state, state.tune, KIND[state.dtype], () => {
    if (state.dtype === 'float32') kernel.proj_f32(state.wPtr, state.xPtr, rows, cols, state.outPtr);
    else if (state.dtype === 'float16') kernel.proj_f16(state.wPtr, state.xPtr, rows, cols, state.outPtr, F16_SCALE);
    else kernel.proj_bf16(state.wPtr, state.xPtr, rows, cols, state.outPtr);
  });
  out.set(state.z);
  return true;
}

interface Tuner {
  /** Moving averages of a call's ms on the calling thread alone and with the pool (NaN: not tried yet). */
  single: number;
  threaded: number;
  calls: number;
}

const newTuner = (): Tuner => ({ single: Number.NaN, threaded: Number.NaN, calls: 0 });

type ThreadPolicy = 'auto' | 'threads' | 'single';
let policy: ThreadPolicy = 'auto';

/** Tests and benches: always use a head's pool, never, or pick by recent times (the default). */
export function setKernelThreadPolicy(next: ThreadPolicy): void {
  policy = next;
}

/** Every this many calls the slower way is tried again, so the choice follows the machine's load. */
const RETRY_EVERY = 16;

/**
 * Runs a job with the pool or on the calling thread alone, whichever has been
 * faster lately. On a machine whose other cores are busy, waiting for a worker
 * that shares a core with other work costs more than it saves.
 */
function timed(state: KernelState, tune: Tuner, kind: number, alone: () => void): void {
  let threaded = false;
  if (state.pool?.ready() && policy !== 'auto') threaded = policy === 'threads';
  else if (state.pool?.ready()) {
    tune.calls++;
    if (Number.isNaN(tune.threaded)) threaded = true;
    else if (Number.isNaN(tune.single)) threaded = false;
    else threaded = tune.threaded <= tune.single !== (tune.calls % RETRY_EVERY === 0);
  }
  const started = performance.now();
  const ran = threaded && runThreaded(state, kind);
  if (!ran) alone();
  if (!state.pool?.ready()) return;
  const elapsed = performance.now() - started;
  const key = ran ? 'threaded' : 'single';
  tune[key] = Number.isNaN(tune[key]) ? elapsed : 0.7 * tune[key] + 0.3 * elapsed;
}

/** Runs the prepared job on the head's threads; false where it has none (yet). */
function runThreaded(state: KernelState, kind: number): boolean {
  const { pool, u, f } = state;
  if (!pool || !u || !f || !pool.ready()) return false;
  u[CTRL.KIND] = kind;
  u[CTRL.ROWS] = state.rows;
  u[CTRL.COLS] = state.cols;
  u[CTRL.WPTR] = state.wPtr;
  u[CTRL.XPTR] = state.xPtr;
  u[CTRL.OUTPTR] = state.outPtr;
  f[CTRL.SCALE] = F16_SCALE;
  // ~16 blocks per thread: a thread slowed by other work on its core takes fewer.
  u[CTRL.BLOCK] = Math.max(256, Math.ceil(state.rows / ((pool.workers + 1) * 16)));
  return pool.run(state.kernel, u, f);
}

/**
 * Bench only: reads a float32 head's W once, as the projection does (same
 * threads, same blocks) but without multiplying: the bandwidth floor for
 * `project()`. Returns the row sums (into the kernel's z), or undefined for a
 * head off the kernel path.
 */
export function readHeadOnce(head: HeadLike): Float32Array | undefined {
  const state = stateOf(head);
  if (state?.dtype !== 'float32') return undefined;
  timed(state, state.readTune, KIND.rowsum, () => state.kernel.rowsum_f32(state.wPtr, state.xPtr, state.rows, state.cols, state.outPtr));
  return state.z;
}

/** Bench and tests: how a head's recent calls ran (threads chosen or not, moving-average ms). */
export function kernelTuning(head: HeadLike): { threads: number; singleMs: number; threadedMs: number } | undefined {
  const state = stateOf(head);
  if (!state) return undefined;
  return { threads: state.pool?.ready() ? state.pool.workers + 1 : 1, singleMs: state.tune.single, threadedMs: state.tune.threaded };
}
