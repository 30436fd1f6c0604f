/**
 * The generative model's LM head W (V × d, row-major) and the projection z = W h
 * that turns a pooled embedding into one logit per vocabulary token (paper §3).
 */
import type { HeadDtype } from './headDtype';
import { allocKernelStorage, projectWithKernel } from './kernels/projection';

export type { HeadDtype };

export interface LmHead {
  /** Rows of W (the model's vocabulary size, padding rows included). */
  rows: number;
  /** Hidden size d. */
  cols: number;
  dtype: HeadDtype;
  /** f32 values, or raw 16-bit words for float16 / bfloat16 storage. */
  data: Float32Array | Uint16Array;
  /**
   * Rows that are real tokens. Qwen3's W has 151,936 rows but its tokenizer
   * ~151,669 tokens: rows past this are padding and never ranked.
   */
  validRows: number;
}

let halfTable: Float32Array | undefined;

/** IEEE 754 half → float, for every one of the 65,536 bit patterns (built once, 256 KiB). */
export function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = decodeFloat16(bits);
  halfTable = table;
  return table;
}

export function decodeFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** bfloat16 is the top half of a float32: u32 = u16 << 16. */
export function decodeBfloat16(bits: number): number {
  const word = new Uint32Array([bits << 16]);
  return new Float32Array(word.buffer)[0];
}

/** Widens a 16-bit W to f32 (used where a consumer needs plain floats). */
export function headRowToFloat32(head: LmHead, row: number): Float32Array {
  const out = new Float32Array(head.cols);
  const start = row * head.cols;
  if (head.dtype === 'float32') {
    out.set((head.data as Float32Array).subarray(start, start + head.cols));
  } else if (head.dtype === 'float16') {
    const table = float16Table();
    for (let j = 0; j < head.cols; j++) out[j] = table[head.data[start + j]];
  } else {
    const words = new Uint32Array(out.buffer);
    for (let j = 0; j < head.cols; j++) words[j] = head.data[start + j] << 16;
  }
  return out;
}

export function makeLmHead(data: Float32Array | Uint16Array, rows: number, cols: number, dtype: HeadDtype, validRows = rows): LmHead {
  if (data.length !== rows * cols) {
    throw new Error(`LM head: expected ${rows} × ${cols} = ${rows * cols} values, got ${data.length}`);
  }
  if ((dtype === 'float32') !== data instanceof Float32Array) {
    throw new Error(`LM head: ${dtype} storage needs a ${dtype === 'float32' ? 'Float32Array' : 'Uint16Array'}`);
  }
  return { data, rows, cols, dtype, validRows: Math.min(validRows, rows) };
}

/**
 * An empty head whose W lives where the fast projection kernel can read it
 * (src/core/kernels/), or in a plain typed array where WebAssembly SIMD is
 * unavailable. Fill `head.data` once (e.g. from the file's bytes); W is never
 * copied again.
 */
export function allocLmHead(rows: number, cols: number, dtype: HeadDtype, validRows = rows): LmHead {
  const data = allocKernelStorage(dtype, rows, cols) ?? (dtype === 'float32' ? new Float32Array(rows * cols) : new Uint16Array(rows * cols));
  return makeLmHead(data, rows, cols, dtype, validRows);
}

/**
 * A head from W's raw little-endian bytes (an lm_head.* file, or a view of
 * them), in kernel storage where available. The caller drops its bytes after.
 */
export function lmHeadFromBytes(bytes: ArrayBuffer | ArrayBufferView, rows: number, cols: number, dtype: HeadDtype, validRows = rows): LmHead {
  const source = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const bytesPer = dtype === 'float32' ? 4 : 2;
  if (source.byteLength !== rows * cols * bytesPer) {
    throw new Error(`LM head: expected ${rows} × ${cols} × ${bytesPer} = ${rows * cols * bytesPer} bytes, got ${source.byteLength}`);
  }
  const head = allocLmHead(rows, cols, dtype, validRows);
  new Uint8Array(head.data.buffer, head.data.byteOffset, source.byteLength).set(source);
  return head;
}

/**
 * z = W h over all rows (padding rows included; top-k skips them). Heads made
 * by `allocLmHead` / `lmHeadFromBytes` take the WebAssembly SIMD kernel; any
 * other head, or a runtime without WebAssembly SIMD, takes `projectPlain`.
 */
export function project(head: LmHead, h: ArrayLike<number>, out: Float32Array = new Float32Array(head.rows)): Float32Array {
  if (h.length !== head.cols) throw new Error(`project: h has ${h.length} values, W has ${head.cols} columns`);
  if (projectWithKernel(head, h, out)) return out;
  return projectPlain(head, h, out);
}

/** z = W h in plain JavaScript: the fallback, and the reference the kernel is tested against. */
export function projectPlain(head: LmHead, h: ArrayLike<number>, out: Float32Array = new Float32Array(head.rows)): Float32Array {
  const { rows, cols, data } = head;
  if (h.length !== cols) throw new Error(`project: h has ${h.length} values, W has ${cols} columns`);
  const x = Float32Array.from(h);
  if (head.dtype === 'float32') {
    const w = data as Float32Array;
    for (let r = 0; r < rows; r++) out[r] = dotF32(w, r * cols, x, cols);
  } else if (head.dtype === 'float16') {
    const table = float16Table();
    const w = data as Uint16Array;
    for (let r = 0; r < rows; r++) {
      let s0 = 0;
      let s1 = 0;
      const base = r * cols;
      let j = 0;
      for (; j + 1 < cols; j += 2) {
        s0 += table[w[base + j]] * x[j];
        s1 += table[w[base + j + 1]] * x[j + 1];
      }
      if (j < cols) s0 += table[w[base + j]] * x[j];
      out[r] = s0 + s1;
    }
  } else {
    const w = data as Uint16Array;
    const scratch = new Float32Array(cols);
    const words = new Uint32Array(scratch.buffer);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let j = 0; j < cols; j++) words[j] = w[base + j] << 16;
      out[r] = dotF32(scratch, 0, x, cols);
    }
  }
  return out;
}

function dotF32(w: Float32Array, offset: number, x: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += w[offset + j] * x[j];
    s1 += w[offset + j + 1] * x[j + 1];
    s2 += w[offset + j + 2] * x[j + 2];
    s3 += w[offset + j + 3] * x[j + 3];
  }
  for (; j < n; j++) s0 += w[offset + j] * x[j];
  return s0 + s1 + s2 + s3;
}

/** Cosine view: z_v / (‖W_v‖ ‖h‖), a useful second ranking (docs/design.md §1.8, "Cosine view"). */
export function rowNorms(head: LmHead): Float32Array {
  const norms = new Float32Array(head.rows);
  for (let r = 0; r < head.rows; r++) {
    const row = headRowToFloat32(head, r);
    let s = 0;
    for (let j = 0; j < row.length; j++) s += row[j] * row[j];
    norms[r] = Math.sqrt(s);
  }
  return norms;
}
