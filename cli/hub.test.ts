import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { pool } from '../src/core/pooling';
import { PROMPT_EOL_TEMPLATE } from '../src/shared/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub } from '../tools/hub/testRepos';

// The demo pair and the random test pair republished under Hub ids on a local
// Hub server (tools/hub/testRepos.ts): the base repo carries W as a real
// safetensors tensor, so the CLI reads it with Range requests as from the Hub.
const root = buildTestHub();
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ roots: [root] });
});
afterAll(() => hub.close());

function lens(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('npx', ['tsx', 'cli/lens.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const TEXTS = 'A man is playing a guitar.\nThe cat sleeps on the sofa.\n';

describe('CLI on Hub pairs (local Hub server)', () => {
  it('a custom pair from the Hub gives the same tokens as the same models from models/', async () => {
    const viaHub = await lens(
      ['align', '--embed', 'hubtest/demo-embed', '--base', 'hubtest/demo-base', '--pooling', DEMO_POOLING, '--hub-url', hub.url, '--input', '-', '--json'],
      TEXTS,
    );
    expect(viaHub.stderr).not.toMatch(/lens align:/);
    expect(viaHub.code).toBe(0);
    const local = await lens(['align', '--pair', 'demo', '--input', '-', '--json'], TEXTS);
    const ids = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.embed.top.map((t: { id: number }) => t.id), r.base.top.map((t: { id: number }) => t.id)]);
    expect(ids(viaHub.stdout)).toEqual(ids(local.stdout));
    // W came from the safetensors by Range requests.
    expect(hub.log.some((l) => l.path.endsWith('hubtest/demo-base/resolve/main/model.safetensors') && l.status === 206)).toBe(true);
  });

  it('refuses a pair whose vocabularies differ, naming both sizes', async () => {
    const out = await lens(['align', '--embed', 'hubtest/tiny-embed', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/vocabulary of 272 tokens.*8,192/);
  });

  it('an unknown Hub id exits non-zero and names the id', async () => {
    const out = await lens(['align', '--embed', 'nobody/missing-model', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('nobody/missing-model');
  });
});

interface AlignRecord {
  tokens: { id: number }[];
  embed: { top: { id: number; score: number }[] };
  base: { top: { id: number; score: number }[] };
}
const records = (stdout: string): AlignRecord[] => stdout.trim().split('\n').map((line) => JSON.parse(line));

/** Pooled logits of the logits-only export, run directly (no patch, no W): W·pool(h) by linearity. */
let logitsOnlySession: Promise<ort.InferenceSession> | undefined;
async function pooledLogits(ids: number[], pooling: 'mean' | 'last' = 'mean'): Promise<Float32Array> {
  logitsOnlySession ??= ort.InferenceSession.create('models/test-shapes/qwen3-base/onnx/model.onnx');
  const session = await logitsOnlySession;
  const long = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
  const feeds: Record<string, ort.Tensor> = { input_ids: long(ids), attention_mask: long(ids.map(() => 1)), position_ids: long(ids.map((_, i) => i)) };
  for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values'))) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
  const logits = (await session.run(feeds)).logits;
  return pool(logits.data as Float32Array, ids.map(() => 1), logits.dims[2], pooling);
}

/** Token ids of a text as the stand-in's own tokenizer reads it (special tokens included, as the pair does). */
async function standInIds(text: string): Promise<number[]> {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${join(process.cwd(), 'models')}/`;
  const tokenizer = await AutoTokenizer.from_pretrained('test-shapes/qwen3-base');
  return tokenizer.encode(text, { add_special_tokens: true }) as number[];
}

/** Ids ranked by score, best first (ties to the lower id), over the tokenizer's rows. */
const ranking = (z: Float32Array, rows: number) => [...z.subarray(0, rows)].map((score, id) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);

describe('catalog pairs on stand-ins with the real repos\' shapes (models/test-shapes)', () => {
  it('qwen3-0.6b: last-token embedder, logits-only base with a KV cache, W from sharded bf16 safetensors', async () => {
    hub.log.length = 0;
    const out = await lens(['align', '--pair', 'qwen3-0.6b', '--hub-url', hub.url, '--input', '-', '--json'], TEXTS);
    expect(out.stderr).not.toMatch(/lens align:/);
    expect(out.code).toBe(0);
    const tokenizerSize = 272; // W has 288 rows: the 16 padding rows are never ranked
    for (const record of records(out.stdout)) {
      for (const view of [record.embed, record.base]) expect(Math.max(...view.top.map((t) => t.id))).toBeLessThan(tokenizerSize);
      // The base view from the appended hidden-state output equals the export's own logits, mean-pooled.
      const reference = await pooledLogits(record.tokens.map((t) => t.id));
      for (const t of record.base.top) expect(t.score).toBeCloseTo(reference[t.id], 1);
      const best = [...reference.subarray(0, tokenizerSize)].map((z, id) => ({ id, z })).sort((a, b) => b.z - a.z);
      expect(record.base.top[0].id).toBe(best[0].id);
    }
    // Only W's shard was read, and by Range requests.
    const shardReads = hub.log.filter((l) => l.path.includes('Qwen/Qwen3-0.6B-Base/resolve/main/model-0000'));
    expect(shardReads.length).toBeGreaterThan(0);
    expect(shardReads.every((l) => l.path.endsWith('model-00002-of-00002.safetensors') && l.status === 206)).toBe(true);
  });

  it('smollm2-135m-eol: PromptEOL on one logits-only causal LM', async () => {
    const out = await lens(['align', '--pair', 'smollm2-135m-eol', '--hub-url', hub.url, '--input', '-', '--json'], TEXTS);
    expect(out.code).toBe(0);
    const tokenizerSize = 272;
    // Same model, two readings, each checked against the export's own logits run here:
    // the embedding view is the PromptEOL prompt's last-token logits, the base view the plain text's mean logits.
    for (const [i, record] of records(out.stdout).entries()) {
      const text = TEXTS.split('\n')[i];
      const prompt = await pooledLogits(await standInIds(PROMPT_EOL_TEMPLATE.replace('{text}', text)), 'last');
      const plain = await pooledLogits(record.tokens.map((t) => t.id), 'mean');
      for (const [view, reference] of [[record.embed, prompt], [record.base, plain]] as const) {
        for (const t of view.top) expect(t.score).toBeCloseTo(reference[t.id], 1);
        expect(view.top[0].id).toBe(ranking(reference, tokenizerSize)[0].id);
      }
    }
  });

  it('sgpt-125m: the export from models/ and the same export uploaded to Hub repos give the same tokens', async () => {
    // What tools/hub/export_sgpt.py writes, with GPT-Neo-shaped stand-ins, in a fresh model root.
    const modelsDir = mkdtempSync(join(tmpdir(), 'lens-models-'));
    cpSync('models/demo', join(modelsDir, 'demo'), { recursive: true });
    cpSync('models/test-shapes/neo-embed', join(modelsDir, 'sgpt-125m/embed'), { recursive: true });
    cpSync('models/test-shapes/neo-base', join(modelsDir, 'sgpt-125m/base'), { recursive: true });
    cpSync('models/test-shapes/lm_head.f16', join(modelsDir, 'sgpt-125m/lm_head.f16'));
    const shapes = JSON.parse(readFileSync('models/test-shapes/manifest.json', 'utf8'));
    const manifest = JSON.parse(readFileSync('models/sgpt-125m/manifest.json', 'utf8'));
    delete manifest.setup;
    writeFileSync(join(modelsDir, 'sgpt-125m/manifest.json'), JSON.stringify({ ...manifest, lmHead: { ...manifest.lmHead, rows: shapes.lmHead.rows, cols: shapes.lmHead.cols }, vocabSize: shapes.vocabSize }));

    const listed = JSON.parse((await lens(['models', '--json', '--models-dir', modelsDir], '')).stdout);
    expect(listed.find((row: { id: string }) => row.id === 'sgpt-125m')).toMatchObject({ embed: 'sgpt-125m/embed', base: 'sgpt-125m/base', pooling: 'weighted-mean', available: true });

    const local = await lens(['align', '--pair', 'sgpt-125m', '--models-dir', modelsDir, '--input', '-', '--json'], TEXTS);
    expect(local.stderr).not.toMatch(/lens align:/);
    const viaHub = await lens(
      ['align', '--embed', 'hubtest/sgpt-125m-onnx', '--base', 'hubtest/gpt-neo-125m-onnx', '--pooling', 'weighted-mean', '--hub-url', hub.url, '--input', '-', '--json'],
      TEXTS,
    );
    expect(viaHub.code).toBe(0);
    const ids = (stdout: string) => records(stdout).map((r) => [r.embed.top.map((t) => t.id), r.base.top.map((t) => t.id)]);
    expect(ids(viaHub.stdout)).toEqual(ids(local.stdout)); // f16 W (local file) vs f32 W (safetensors): same ranking here
  });

  it('sgpt-125m before its export: a non-zero exit that says how to make it', async () => {
    const out = await lens(['align', '--pair', 'sgpt-125m', '--input', '-'], TEXTS);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('tools/hub/export_sgpt.py');
  });

  it('lens models --json lists every catalog entry as {id, embed, base, pooling, template}', async () => {
    const rows = JSON.parse((await lens(['models', '--json'], '')).stdout);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['demo', 'qwen3-0.6b', 'sgpt-125m', 'smollm2-135m-eol', 'test-tiny']);
    for (const row of rows) for (const key of ['id', 'embed', 'base', 'pooling', 'template']) expect(typeof row[key]).toBe('string');
    expect(rows[1]).toMatchObject({ embed: 'onnx-community/Qwen3-Embedding-0.6B-ONNX', head: 'Qwen/Qwen3-0.6B-Base', pooling: 'last' });
  });
});
