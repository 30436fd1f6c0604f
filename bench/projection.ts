/**
 * z = W h at Qwen3's size (V = 151,936, d = 1024) with a synthetic seeded W:
 * the project's kernel (f32, float16 and bfloat16 storage) against numpy `W @ h` on an
 * optimized BLAS where the machine has one (numpyBaseline.ts says which) on the same W in a
 * child process, and against reading W once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { kernelThreadsReady, kernelTuning, readHeadOnce, setKernelThreadPolicy, usesKernel } from '../src/core/kernels/projection';
import { allocLmHead, type HeadDtype, type LmHead, project, projectPlain } from '../src/core/lmHead';
import { contract, D, header, median, ms, type Row, ratio, round, seeded, table, V } from './common';
import { BASELINE_SCRIPT, findNumpy, PYTHON } from './numpyBaseline';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rss = () => process.memoryUsage().rss;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → IEEE half, round to nearest even (finite inputs of LM-head size). */
function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 112;
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

/** f32 → bfloat16, round to nearest even. */
function toBfloat(value: number): number {
  f32[0] = value;
  const x = u32[0];
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

class Numpy {
  private lines: AsyncIterator<string>;
  private child;
  constructor(wPath: string, hPath: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(PYTHON, [BASELINE_SCRIPT, wPath, hPath, String(V), String(D)], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('numpy baseline exited early');
    return JSON.parse(value);
  }
  async ask(command: string): Promise<unknown> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }
  close() {
    this.child.stdin.end('quit\n');
  }
}

function timed(fn: () => void, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

export async function run(args: string[]): Promise<void> {
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 6);
  const baseline = findNumpy();
  if (!baseline.ok) {
    process.stdout.write(`projection: ${baseline.message}\n`);
    process.exitCode = 1;
    return;
  }
  header('projection', `z = W h, V = ${V}, d = ${D}, synthetic seeded W (uniform ±0.05), ${rounds} interleaved rounds`);
  // The baseline's name in the table: numpy on an optimized BLAS, or flagged as the reference BLAS.
  const np = baseline.optimized ? `numpy (${baseline.blas})` : `numpy (${baseline.blas}, NOT optimized)`;
  const rand = seeded(20250601);
  const memory: Row[] = [];
  const rss0 = rss();

  // W in f32, in kernel memory (the app's allocation path: lmHeadFromBytes / allocLmHead).
  const f32Head = allocLmHead(V, D, 'float32');
  const w = f32Head.data as Float32Array;
  for (let i = 0; i < w.length; i++) w[i] = (rand() - 0.5) * 0.1;
  const rss1 = rss();
  memory.push({
    what: 'RSS growth: f32 W allocated and filled',
    value: mib(rss1 - rss0),
    baseline: `W = ${mib(V * D * 4)}`,
    ratio: ratio(rss1 - rss0, V * D * 4),
  });

  const heads: Record<HeadDtype, LmHead> = { float32: f32Head, float16: allocLmHead(V, D, 'float16'), bfloat16: allocLmHead(V, D, 'bfloat16') };
  for (let i = 0; i < w.length; i++) {
    heads.float16.data[i] = toHalf(w[i]);
    heads.bfloat16.data[i] = toBfloat(w[i]);
  }

  const h = Float32Array.from({ length: D }, () => rand() * 2 - 1);
  const dir = mkdtempSync(join(tmpdir(), 'lens-bench-'));
  writeFileSync(join(dir, 'w.f32'), new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  writeFileSync(join(dir, 'h.f32'), h);
  const numpy = new Numpy(join(dir, 'w.f32'), join(dir, 'h.f32'), baseline.env);
  const hello = (await numpy.next()) as { numpy: string };
  const threads = await kernelThreadsReady(f32Head);
  await Promise.all([kernelThreadsReady(heads.float16), kernelThreadsReady(heads.bfloat16)]);
  for (const head of Object.values(heads)) if (!usesKernel(head)) throw new Error(`${head.dtype} head is not on the kernel path`);

  // Correctness against numpy on this W.
  const z = project(f32Head, h);
  await numpy.ask(`z ${join(dir, 'z.f32')}`);
  const zNumpy = new Float32Array(readFileSync(join(dir, 'z.f32')).buffer.slice(0));
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < V; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(z[i] - zNumpy[i]));
    maxAbs = Math.max(maxAbs, Math.abs(zNumpy[i]));
  }
  rmSync(dir, { recursive: true, force: true });

  const out = new Float32Array(V);
  const rssBefore = rss();
  const warm = () => {
    for (const head of Object.values(heads)) timed(() => project(head, h, out), 4);
    timed(() => readHeadOnce(f32Head), 2);
  };
  warm();
  await numpy.ask('mv 3');
  await numpy.ask('sum 2');

  const t = {
    f32: [] as number[],
    f16: [] as number[],
    bf16: [] as number[],
    single: [] as number[],
    threaded: [] as number[],
    read: [] as number[],
    numpy: [] as number[],
    numpySum: [] as number[],
  };
  const withPolicy = (p: 'threads' | 'single', fn: () => void) => {
    setKernelThreadPolicy(p);
    try {
      fn();
    } finally {
      setKernelThreadPolicy('auto');
    }
  };
  for (let r = 0; r < rounds; r++) {
    t.f32.push(...timed(() => project(heads.float32, h, out), 3));
    t.numpy.push(...((await numpy.ask('mv 3')) as number[]));
    t.f16.push(...timed(() => project(heads.float16, h, out), 3));
    t.bf16.push(...timed(() => project(heads.bfloat16, h, out), 3));
    t.read.push(...timed(() => readHeadOnce(f32Head), 3));
    t.numpySum.push(...((await numpy.ask('sum 2')) as number[]));
    withPolicy('single', () => t.single.push(...timed(() => project(heads.float32, h, out), 2)));
    if (threads > 1) withPolicy('threads', () => t.threaded.push(...timed(() => project(heads.float32, h, out), 2)));
  }
  const tuning = kernelTuning(heads.float32);
  const plain = timed(() => projectPlain(heads.float32, h, out), 3);
  const numpyAfter = (await numpy.ask('mv 3')) as number[];
  numpy.close();
  const rssAfter = rss();
  memory.push({
    what: `RSS growth over ${rounds * 15 + 12} projections (threads read W in place)`,
    value: mib(Math.max(0, rssAfter - rssBefore)),
    baseline: `W = ${mib(V * D * 4)}`,
    ratio: ratio(Math.max(0, rssAfter - rssBefore), V * D * 4),
  });

  const m = {
    f32: median(t.f32),
    f16: median(t.f16),
    bf16: median(t.bf16),
    single: median(t.single),
    threaded: median(t.threaded),
    read: median(t.read),
    numpy: median(t.numpy),
    numpySum: median(t.numpySum),
    plain: median(plain),
  };
  const limit = Math.min(m.read, m.numpySum);
  const gbs = (bytes: number, msTaken: number) => `${(bytes / msTaken / 1e6).toFixed(1)} GB/s`;
  const wBytes = V * D * 4;
  const choice =
    tuning && tuning.threads > 1
      ? `; project() picks ${tuning.threadedMs <= tuning.singleMs ? 'threads' : 'one thread'} (recent ${tuning.threadedMs.toFixed(1)} vs ${tuning.singleMs.toFixed(1)} ms)`
      : '';
  process.stdout.write(
    `# kernel threads available: ${threads}${choice}; numpy ${hello.numpy} on ${baseline.blas} (${baseline.path}; ${baseline.how}; OPENBLAS_CORETYPE/L2_SIZE unset); max |z - z_numpy| = ${maxDiff.toExponential(2)} (max |z| ${maxAbs.toFixed(2)})\n`,
  );
  if (!baseline.optimized) {
    process.stdout.write(
      `# numpy runs on the reference BLAS here, not an optimized one, so a ratio against it flatters ours. Install one (Debian: apt-get install libopenblas0-pthread) for an honest baseline; until then the limit to compare with is one read of W.\n`,
    );
  }
  process.stdout.write(`# numpy W @ h after the rounds: ${median(numpyAfter).toFixed(1)} ms (drift check)\n\n`);
  table([
    {
      what: 'ours, f32 W (WASM SIMD; project() as the app calls it)',
      value: ms(m.f32),
      baseline: `${np} W @ h ${ms(m.numpy)}`,
      ratio: ratio(m.f32, m.numpy),
      note: `target ≤ 1.5×; ${gbs(wBytes, m.f32)}`,
    },
    {
      what: 'ours, float16 W',
      value: ms(m.f16),
      baseline: `ours f32 ${ms(m.f32)}`,
      ratio: ratio(m.f16, m.f32),
      note: `target ≤ 1×; vs ${np} f32 ${ratio(m.f16, m.numpy)}`,
    },
    {
      what: 'ours, bfloat16 W',
      value: ms(m.bf16),
      baseline: `ours f32 ${ms(m.f32)}`,
      ratio: ratio(m.bf16, m.f32),
      note: `vs ${np} f32 ${ratio(m.bf16, m.numpy)}`,
    },
    {
      what: 'ours, f32 W, calling thread only',
      value: ms(m.single),
      baseline: `${np} W @ h ${ms(m.numpy)}`,
      ratio: ratio(m.single, m.numpy),
      note: gbs(wBytes, m.single),
    },
    ...(threads > 1
      ? [
          {
            what: `ours, f32 W, always ${threads} threads`,
            value: ms(m.threaded),
            baseline: `${np} W @ h ${ms(m.numpy)}`,
            ratio: ratio(m.threaded, m.numpy),
            note: gbs(wBytes, m.threaded),
          },
        ]
      : []),
    { what: 'plain JS loop (the fallback), f32', value: ms(m.plain), baseline: `${np} W @ h ${ms(m.numpy)}`, ratio: ratio(m.plain, m.numpy) },
    {
      what: 'read W once (WASM, same threads)',
      value: ms(m.read),
      baseline: `${np} W.sum() ${ms(m.numpySum)}`,
      ratio: ratio(m.read, m.numpySum),
      note: gbs(wBytes, m.read),
    },
    {
      what: 'ours f32 vs reading W once',
      value: ms(m.f32),
      baseline: `read limit ${ms(limit)}`,
      ratio: ratio(m.f32, limit),
      note: baseline.optimized ? 'limit = faster of the two reads' : 'limit = faster of the two reads; THE limit here (numpy is on the reference BLAS)',
    },
    ...memory,
  ]);
  process.stdout.write('\n');
  contract({
    v: V,
    d: D,
    ours_f32_ms: round(m.f32),
    ours_16bit_ms: round(Math.max(m.f16, m.bf16)),
    numpy_ms: round(m.numpy),
    bandwidth_limit_ms: round(limit),
  });
}
