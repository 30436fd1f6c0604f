/**
 * Batch analysis throughput on the demo pair: `lens analyze` on STS-B test
 * texts against calling transformers.js directly on the same texts (tokenizer
 * and both models at batch 64, the manifest's pooling and W h by hand).
 * Measured twice: whole commands as child processes (start, load, run, exit),
 * and in-process with loading excluded. The ratio is the project's overhead.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AutoModel, AutoTokenizer, env, type PreTrainedModel, type Tensor } from '@huggingface/transformers';
import { readTexts } from '../cli/io';
import { batchesOf } from '../src/core/batches';
import { buildReport } from '../src/core/report';
import { loadPair } from '../src/runtime/loadPair';
import { localModelReader } from '../src/runtime/node';
import { manifestFor } from '../src/shared/pairId';
import { contract, header, median, ms, type Row, ratio, round, table } from './common';

const ROOT = resolve(import.meta.dirname, '..');
const INPUT = 'public/data/stsb/sts-test.csv';
const BATCH = 64;

/** The baseline: transformers.js used directly, no project code at all. */
export async function direct(texts: string[]): Promise<{ loadMs: number; runMs: number; checksum: number }> {
  const started = performance.now();
  const modelsDir = resolve(ROOT, 'models');
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${modelsDir}/`;
  const manifest = JSON.parse(readFileSync(resolve(modelsDir, 'demo/manifest.json'), 'utf8'));
  const tokenizer = await AutoTokenizer.from_pretrained(manifest.embed.model);
  const options = { device: 'cpu' as const, dtype: 'fp32' as const };
  const [embedModel, baseModel] = await Promise.all([
    AutoModel.from_pretrained(manifest.embed.model, options),
    AutoModel.from_pretrained(manifest.base.model, options),
  ]);
  const file = readFileSync(resolve(modelsDir, manifest.lmHead.file));
  const bits = new Uint16Array(file.buffer, file.byteOffset, file.byteLength / 2);
  const { rows, cols } = manifest.lmHead as { rows: number; cols: number };
  if (cols % 4 !== 0) throw new Error('the direct baseline assumes d % 4 = 0');
  // W widened to f32 once (a careful hand-written baseline would), then plain dot products.
  const w = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    const e = (b >> 10) & 0x1f;
    const f = b & 0x3ff;
    const v = e === 0 ? 2 ** -14 * (f / 1024) : e === 31 ? (f ? Number.NaN : Number.POSITIVE_INFINITY) : 2 ** (e - 15) * (1 + f / 1024);
    w[i] = b & 0x8000 ? -v : v;
  }
  const loadMs = performance.now() - started;

  const runStarted = performance.now();
  let checksum = 0;
  const z = new Float32Array(rows);
  const pooled = async (model: PreTrainedModel, batch: string[], pooling: string) => {
    const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: manifest.maxLength, add_special_tokens: false });
    const out = await model({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask });
    const hidden = out.last_hidden_state as Tensor;
    const [n, length, dim] = hidden.dims as number[];
    const data = hidden.data as Float32Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    const result: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      // The manifest's pooling: mean, SGPT weighted mean (w_t = t / Σt over real tokens) or the last real token.
      const h = new Float32Array(dim);
      let t = 0;
      let total = 0;
      let last = 0;
      for (let p = 0; p < length; p++) {
        if (!mask[i * length + p]) continue;
        t++;
        last = p;
        const weight = pooling === 'weighted-mean' ? t : 1;
        total += weight;
        if (pooling !== 'last') for (let j = 0; j < dim; j++) h[j] += weight * data[(i * length + p) * dim + j];
      }
      if (pooling === 'last') for (let j = 0; j < dim; j++) h[j] = data[(i * length + last) * dim + j];
      else for (let j = 0; j < dim; j++) h[j] /= total;
      result.push(h);
    }
    return result;
  };
  for (const batch of batchesOf(texts, BATCH)) {
    const [e, b] = await Promise.all([pooled(embedModel, batch, manifest.embed.pooling), pooled(baseModel, batch, manifest.base.pooling)]);
    for (const h of [...e, ...b]) {
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let j = 0; j < cols; j += 4) {
          s0 += w[o + j] * h[j];
          s1 += w[o + j + 1] * h[j + 1];
          s2 += w[o + j + 2] * h[j + 2];
          s3 += w[o + j + 3] * h[j + 3];
        }
        z[r] = s0 + s1 + s2 + s3;
      }
      checksum += z[0];
    }
  }
  return { loadMs, runMs: performance.now() - runStarted, checksum };
}

async function inProcess(texts: string[]): Promise<{ loadMs: number; runMs: number }> {
  const started = performance.now();
  const read = localModelReader();
  const manifest = await manifestFor('demo', read);
  const pair = await loadPair(manifest, { device: 'cpu', read });
  const loadMs = performance.now() - started;
  const runStarted = performance.now();
  const records = [];
  for (const batch of batchesOf(texts, BATCH)) records.push(...(await pair.encode(batch, BATCH)));
  buildReport(records, pair.head, { k: 10, isContent: pair.isContent, frequentIds: pair.frequentIds });
  const runMs = performance.now() - runStarted;
  await pair.dispose();
  return { loadMs, runMs };
}

function timeCommand(args: string[]): number {
  const started = performance.now();
  execFileSync('npx', args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  return performance.now() - started;
}

export async function run(args: string[]): Promise<void> {
  // Child mode: the baseline as its own process (for the whole-command comparison).
  if (args[0] === '--direct-child') {
    const { texts } = await readTexts(resolve(ROOT, INPUT));
    await direct(texts.slice(0, Number(args[1])));
    return;
  }
  const limit = Number(args.find((a) => a.startsWith('--limit='))?.slice(8) ?? 500);
  const repeats = Number(args.find((a) => a.startsWith('--repeats='))?.slice(10) ?? 4);
  header('analysis', `lens analyze vs transformers.js directly, demo pair, ${limit} texts of ${INPUT}, batch ${BATCH}, ${repeats} interleaved repeats`);
  const { texts: all } = await readTexts(resolve(ROOT, INPUT));
  const texts = all.slice(0, limit);

  const cli: number[] = [];
  const child: number[] = [];
  const startCli: number[] = [];
  const startBare: number[] = [];
  const oursRun: number[] = [];
  const oursLoad: number[] = [];
  const directRun: number[] = [];
  const directLoad: number[] = [];
  for (let r = 0; r < repeats; r++) {
    cli.push(timeCommand(['tsx', 'cli/lens.ts', 'analyze', '--pair', 'demo', '--input', INPUT, '--limit', String(limit), '--json']));
    child.push(timeCommand(['tsx', 'bench/run.ts', 'analysis', '--direct-child', String(limit)]));
    // Start-up alone: the CLI listing its pairs, against tsx running an empty script.
    startCli.push(timeCommand(['tsx', 'cli/lens.ts', 'models']));
    startBare.push(timeCommand(['tsx', '-e', '0']));
    // In-process, the same calls analyzeTexts makes (cli/commands.ts), with loading timed apart.
    const ours = await inProcess(texts);
    oursLoad.push(ours.loadMs);
    oursRun.push(ours.runMs);
    const d = await direct(texts);
    directLoad.push(d.loadMs);
    directRun.push(d.runMs);
  }
  const m = {
    cli: median(cli),
    child: median(child),
    startCli: median(startCli),
    startBare: median(startBare),
    oursRun: median(oursRun),
    oursLoad: median(oursLoad),
    directRun: median(directRun),
    directLoad: median(directLoad),
  };
  const rate = (msTaken: number) => `${((limit / msTaken) * 1000).toFixed(0)} texts/s`;
  const rows: Row[] = [
    {
      what: `lens analyze, ${limit} texts (whole command)`,
      value: `${ms(m.cli)} (${rate(m.cli)})`,
      baseline: `direct script ${ms(m.child)} (${rate(m.child)})`,
      ratio: ratio(m.cli, m.child),
      note: 'target ≤ 1.1×',
    },
    {
      what: 'in-process: encode + report (load excluded)',
      value: `${ms(m.oursRun)} (${rate(m.oursRun)})`,
      baseline: `direct: encode + pool + W h ${ms(m.directRun)} (${rate(m.directRun)})`,
      ratio: ratio(m.oursRun, m.directRun),
      note: 'report = Hit/LAR/GAR ×3, content, v1..v20',
    },
    {
      what: 'start-up: lens models',
      value: ms(m.startCli),
      baseline: `tsx, empty script ${ms(m.startBare)}`,
      ratio: ratio(m.startCli, m.startBare),
      note: 'part of the whole-command figure',
    },
    {
      what: 'in-process: loading the pair',
      value: ms(m.oursLoad),
      baseline: `direct: tokenizer, 2 models, W ${ms(m.directLoad)}`,
      ratio: ratio(m.oursLoad, m.directLoad),
      note: 'ours also reads sample + frequent tokens',
    },
  ];
  table(rows);
  process.stdout.write('\n');
  contract({
    texts: limit,
    ours_texts_per_s: round((limit / m.cli) * 1000, 1),
    direct_texts_per_s: round((limit / m.child) * 1000, 1),
    overhead: round(m.cli / m.child, 3),
    overhead_in_process: round(m.oursRun / m.directRun, 3),
  });
}
