/**
 * Bundled by bench/browser.ts and run inside a dedicated Web Worker of the
 * built app's origin (cross-origin isolated, like the model worker): the
 * projection kernel at V = 151,936, d = 1024 in Chromium, against the plain
 * JavaScript loop in the same worker.
 */
import { kernelThreadsReady, usesKernel } from '../src/core/kernels/projection';
import { allocLmHead, type HeadDtype, project, projectPlain } from '../src/core/lmHead';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function kernelBench(rows: number, cols: number): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const dtype of ['float32', 'float16'] as HeadDtype[]) {
    const head = allocLmHead(rows, cols, dtype);
    let s = 12345;
    for (let i = 0; i < head.data.length; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      // f32 uniform ±0.05, or a float16 word of similar magnitude (exponent 7..10, random sign and mantissa)
      head.data[i] = dtype === 'float32' ? (s / 2 ** 32 - 0.5) * 0.1 : ((s >>> 31) << 15) | ((7 + ((s >>> 12) & 3)) << 10) | (s & 0x3ff);
    }
    result[`${dtype}_threads`] = await kernelThreadsReady(head);
    if (!usesKernel(head)) throw new Error(`${dtype} head is not on the kernel path`);
    const h = Float32Array.from({ length: cols }, (_, i) => Math.sin(i));
    const out = new Float32Array(rows);
    const time = (fn: () => void, n: number) =>
      Array.from({ length: n }, () => {
        const t = performance.now();
        fn();
        return performance.now() - t;
      });
    time(() => project(head, h, out), 4);
    result[`${dtype}_ms`] = median(time(() => project(head, h, out), 9));
    result[`${dtype}_plain_ms`] = median(time(() => projectPlain(head, h, out), 3));
  }
  return result;
}

(globalThis as unknown as { kernelBench: typeof kernelBench }).kernelBench = kernelBench;
