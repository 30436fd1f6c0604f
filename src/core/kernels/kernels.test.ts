import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKernels, OUT_PATH, renderKernelsModule } from '../../../tools/build-kernels';
import reference from '../__fixtures__/reference.json';
import { allocLmHead, type HeadDtype, headRowToFloat32, type LmHead, lmHeadFromBytes, makeLmHead, project, projectPlain } from '../lmHead';
import { kernelAvailable, kernelThreadsReady, kernelTuning, readHeadOnce, setKernelThreadPolicy, usesKernel } from './projection';

// The fast path (WebAssembly SIMD, optionally threaded) must give the plain
// loop's z up to summation order: f32 sums in a different order, nothing else.

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → IEEE half, round to nearest even (test data only). */
function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  if (exp === 0xff) return sign | 0x7c00 | ((x & 0x7fffff) !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = (x & 0x7fffff) | 0x800000;
    const shift = 14 - e;
    let half = m >> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | ((x >> 13) & 0x3ff);
  const rest = x & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

const toBfloat = (value: number) => {
  f32[0] = value;
  return u32[0] >>> 16;
};

/** A head with the given values in both storages: kernel-backed and plain. */
function pair(values: ArrayLike<number>, rows: number, cols: number, dtype: HeadDtype): { fast: LmHead; plain: LmHead } {
  const fast = allocLmHead(rows, cols, dtype);
  for (let i = 0; i < values.length; i++) fast.data[i] = dtype === 'float32' ? values[i] : dtype === 'float16' ? toHalf(values[i]) : toBfloat(values[i]);
  const plain = makeLmHead(fast.data.slice() as Float32Array | Uint16Array, rows, cols, dtype);
  return { fast, plain };
}

/** |a - b| within f32 summation error of sum |w_j x_j|. */
function expectClose(fast: Float32Array, plain: Float32Array, head: LmHead, h: ArrayLike<number>) {
  const x = Float32Array.from(h);
  for (let r = 0; r < head.rows; r++) {
    if (Number.isNaN(plain[r])) {
      expect(fast[r]).toBeNaN();
      continue;
    }
    let magnitude = 0;
    const row = headRowToFloat32(head, r);
    for (let j = 0; j < head.cols; j++) magnitude += Math.abs(row[j] * x[j]);
    expect(Math.abs(fast[r] - plain[r])).toBeLessThanOrEqual(2e-7 * head.cols * magnitude + 1e-30);
  }
}

const DTYPES: HeadDtype[] = ['float32', 'float16', 'bfloat16'];

describe('projection kernel', () => {
  it('is available in this runtime (Node 20 has WebAssembly SIMD)', () => {
    expect(kernelAvailable()).toBe(true);
  });

  it('projection.wasm.ts is the compiled projection.wat', async () => {
    expect(readFileSync(OUT_PATH, 'utf8')).toBe(renderKernelsModule(await compileKernels()));
  });

  for (const dtype of DTYPES) {
    it(`${dtype}: fast path equals the plain loop for any shape (tails included)`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70 }), fc.integer(), (rows, cols, seed) => {
          const rand = rng(seed);
          // Mostly weights of LM-head size, some tiny (f16 subnormals) and exact zeros.
          const values = Float32Array.from({ length: rows * cols }, (_, i) => (i % 11 === 0 ? 0 : i % 7 === 0 ? (rand() - 0.5) * 1e-6 : (rand() - 0.5) * 0.2));
          const h = Array.from({ length: cols }, () => (rand() - 0.5) * 40);
          const { fast, plain } = pair(values, rows, cols, dtype);
          expect(usesKernel(fast)).toBe(true);
          expect(usesKernel(plain)).toBe(false);
          expectClose(project(fast, h), projectPlain(plain, h), plain, h);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('float16: every finite half widens exactly (one row per bit pattern)', () => {
    // 63,488 finite halves × a one-hot h: z is each value itself.
    const finite: number[] = [];
    for (let bits = 0; bits < 65536; bits++) if ((bits & 0x7c00) !== 0x7c00) finite.push(bits);
    const cols = 16;
    const fast = allocLmHead(finite.length, cols, 'float16');
    finite.forEach((bits, r) => {
      fast.data[r * cols + 3] = bits;
    });
    const h = new Float32Array(cols);
    h[3] = 1;
    const z = project(fast, h);
    const plain = projectPlain(fast, h);
    expect(usesKernel(fast)).toBe(true);
    expect(Array.from(z)).toEqual(Array.from(plain));
  });

  it('float16 heads holding inf or NaN stay on the plain path', () => {
    const values = Float32Array.from({ length: 6 * 16 }, (_, i) => Math.sin(i));
    const { fast, plain } = pair(values, 6, 16, 'float16');
    fast.data[20] = 0x7c00; // +inf
    plain.data[20] = 0x7c00;
    expect(usesKernel(fast)).toBe(false);
    const h = Array.from({ length: 16 }, (_, i) => Math.cos(i));
    expect(Array.from(project(fast, h))).toEqual(Array.from(projectPlain(plain, h)));
  });

  it('NaN or huge h falls back for float16 and matches the plain loop', () => {
    const values = Float32Array.from({ length: 4 * 32 }, (_, i) => Math.sin(i) * 0.1);
    const { fast, plain } = pair(values, 4, 32, 'float16');
    const h = Array.from({ length: 32 }, (_, i) => Math.cos(i));
    h[5] = Number.NaN;
    expect(Array.from(project(fast, h))).toEqual(Array.from(projectPlain(plain, h)));
    h[5] = 1e30;
    expect(Array.from(project(fast, h))).toEqual(Array.from(projectPlain(plain, h)));
  });

  it('rejects an h of the wrong length, as the plain path does', () => {
    const { fast } = pair(new Float32Array(32), 2, 16, 'float32');
    expect(() => project(fast, new Float32Array(15))).toThrow(/h has 15 values/);
  });

  it('lmHeadFromBytes takes the raw file bytes and checks their size', () => {
    const bits = Uint16Array.from(reference.projection.float16.bits);
    const head = lmHeadFromBytes(bits.slice().buffer, reference.projection.rows, reference.projection.cols, 'float16');
    expect(Array.from(head.data)).toEqual(Array.from(bits));
    expect(() => lmHeadFromBytes(new ArrayBuffer(10), 2, 4, 'float16')).toThrow(/expected 2 × 4 × 2 = 16 bytes, got 10/);
    // A view into a larger buffer (e.g. a tensor inside a safetensors file) takes just its own bytes.
    const padded = new Uint16Array(bits.length + 8);
    padded.set(bits, 4);
    const fromView = lmHeadFromBytes(padded.subarray(4, 4 + bits.length), reference.projection.rows, reference.projection.cols, 'float16');
    expect(Array.from(fromView.data)).toEqual(Array.from(bits));
  });
});

describe('fast path matches numpy', () => {
  const p = reference.projection;
  const close = (actual: ArrayLike<number>, expected: number[]) => {
    for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[i])));
  };
  it('float32', () => {
    const head = lmHeadFromBytes(Float32Array.from(p.float32.data).buffer, p.rows, p.cols, 'float32');
    expect(usesKernel(head)).toBe(true);
    close(project(head, p.h), p.float32.z);
  });
  it('float16 storage', () => {
    const head = lmHeadFromBytes(Uint16Array.from(p.float16.bits).buffer, p.rows, p.cols, 'float16');
    expect(usesKernel(head)).toBe(true);
    close(project(head, p.h), p.float16.z);
  });
  it('bfloat16 storage', () => {
    const head = lmHeadFromBytes(Uint16Array.from(p.bfloat16.bits).buffer, p.rows, p.cols, 'bfloat16');
    expect(usesKernel(head)).toBe(true);
    close(project(head, p.h), p.bfloat16.z);
  });
});

describe('threaded kernel', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: rows split across threads equal the plain loop`, async () => {
      process.env.LENS_KERNEL_THREADS = '3';
      const rows = 4099; // not a multiple of any block size
      const cols = 1024; // 4.2M weights: big enough to get threads
      const rand = rng(42);
      const values = Float32Array.from({ length: rows * cols }, () => (rand() - 0.5) * 0.1);
      const { fast, plain } = pair(values, rows, cols, dtype);
      delete process.env.LENS_KERNEL_THREADS;
      expect(await kernelThreadsReady(fast)).toBe(3);
      const h = Float32Array.from({ length: cols }, () => rand() - 0.5);
      const expected = projectPlain(plain, h);
      setKernelThreadPolicy('threads');
      try {
        for (let repeat = 0; repeat < 3; repeat++) expectClose(project(fast, h), expected, plain, h);
      } finally {
        setKernelThreadPolicy('auto');
      }
      // Left to choose, it times both ways and keeps either; the result is the same.
      for (let repeat = 0; repeat < 4; repeat++) expectClose(project(fast, h), expected, plain, h);
      const tuning = kernelTuning(fast)!;
      expect(tuning.threads).toBe(3);
      expect(tuning.singleMs).toBeGreaterThan(0);
      expect(tuning.threadedMs).toBeGreaterThan(0);
      if (dtype === 'float32') {
        setKernelThreadPolicy('threads');
        const sums = readHeadOnce(fast)!;
        setKernelThreadPolicy('auto');
        for (const r of [0, 1234, rows - 1]) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += values[r * cols + j];
          expect(sums[r]).toBeCloseTo(s, 3);
        }
      }
    });
  }
});
