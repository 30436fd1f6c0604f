import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '../src/core/pooling';
import { QWEN3_QUERY_TEMPLATE } from '../src/shared/catalog';
import { PROMPT_EOL_TEMPLATE } from '../src/shared/manifest';
import { type Fault, type HubServer, setFaults, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub, fusedStandins } from '../tools/hub/testRepos';
import { runLens } from '../tools/runCommand';

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

const lens = (args: string[], input: string) => runLens(args, { input });

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
    const ids = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((r) => [r.embed.top.map((t: { id: number }) => t.id), r.base.top.map((t: { id: number }) => t.id)]);
    expect(ids(viaHub.stdout)).toEqual(ids(local.stdout));
    // W came from the safetensors by Range requests (served by the CDN origin resolve/ redirects to).
    expect(hub.log.some((l) => l.path.endsWith('hubtest/demo-base/model.safetensors') && l.status === 206 && l.range !== undefined)).toBe(true);
  });

  it('refuses a pair whose vocabularies differ, naming both sizes', async () => {
    const out = await lens(
      ['align', '--embed', 'hubtest/tiny-embed', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'],
      TEXTS,
    );
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/vocabulary of 272 tokens.*8,192/);
  });

  it('an unknown Hub id exits non-zero and names the id', async () => {
    const out = await lens(
      ['align', '--embed', 'nobody/missing-model', '--base', 'hubtest/demo-base', '--pooling', 'mean', '--hub-url', hub.url, '--input', '-'],
      TEXTS,
    );
    expect(out.code).not.toBe(0);
    // The Hub answers 401 RepoNotFound (docs/hub-facts.md): a typo is told to check the id, not to accept a licence.
    expect(out.stderr).toContain('nobody/missing-model: no such repository on the Hub, or it is private (401 RepoNotFound');
    expect(out.stderr).not.toMatch(/licence/);
  });
});

interface AlignRecord {
  tokens: { id: number }[];
  embed: { top: { id: number; score: number }[] };
  base: { top: { id: number; score: number }[] };
}
const records = (stdout: string): AlignRecord[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

// The fused stand-ins the test Hub serves under the catalog's ids (tools/fused), run here directly as references.
const SMOL_BASE = join(root, 'HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model.onnx');
const QWEN3_BASE = join(root, 'onnx-community/Qwen3-0.6B-ONNX/onnx/model.onnx');
const QWEN3_EMBED = join(root, 'onnx-community/Qwen3-Embedding-0.6B-ONNX/onnx/model.onnx');
/** KV heads and head width of the fused stand-ins (their past_key_values inputs). */
const QWEN3_KV: [number, number] = [2, 32];
const SMOL_KV: [number, number] = [1, 32];
const QWEN3_EOS = 151_643;
const sessions = new Map<string, Promise<ort.InferenceSession>>();
const session = (path: string) => {
  if (!sessions.has(path)) sessions.set(path, ort.InferenceSession.create(path));
  return sessions.get(path)!;
};
const long = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
const feedsFor = (s: ort.InferenceSession, ids: number[], kv: [number, number]) => {
  const feeds: Record<string, ort.Tensor> = { input_ids: long(ids), attention_mask: long(ids.map(() => 1)), position_ids: long(ids.map((_, i) => i)) };
  for (const name of s.inputNames.filter((n) => n.startsWith('past_key_values')))
    feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, kv[0], 0, kv[1]]);
  return feeds;
};

/** Pooled logits of a logits-only export, run directly (no patch, no W): W·pool(h) by linearity. */
async function pooledLogits(path: string, ids: number[], pooling: 'mean' | 'last' = 'mean', kv: [number, number] = SMOL_KV): Promise<Float32Array> {
  const s = await session(path);
  const logits = (await s.run(feedsFor(s, ids, kv))).logits;
  return pool(
    logits.data as Float32Array,
    ids.map(() => 1),
    logits.dims[2],
    pooling,
  );
}

/** The export's last_hidden_state at the last position. */
async function lastHiddenState(path: string, ids: number[]): Promise<Float32Array> {
  const s = await session(path);
  const h = (await s.run(feedsFor(s, ids, QWEN3_KV))).last_hidden_state;
  const d = h.dims[2];
  return (h.data as Float32Array).slice((ids.length - 1) * d, ids.length * d);
}

/** W of the Qwen3 stand-in as the test Hub writes it: row i is the small bf16 table's row i mod 512. */
function qwen3W(): { table: Float32Array; rows: number; cols: number } {
  const info = JSON.parse(readFileSync(join(fusedStandins(), 'qwen3-head.json'), 'utf8'));
  const raw = readFileSync(join(fusedStandins(), 'qwen3-head.bf16'));
  const words = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  return { table: new Float32Array(Uint32Array.from(words, (w) => w << 16).buffer), rows: info.table_rows, cols: info.cols };
}
const dotRow = (w: ReturnType<typeof qwen3W>, id: number, h: Float32Array) => {
  const row = (id % w.rows) * w.cols;
  let sum = 0;
  for (let j = 0; j < w.cols; j++) sum += w.table[row + j] * h[j];
  return sum;
};

/** A tokenizer as the test Hub publishes it. */
async function hubTokenizer(repo: string) {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${root}/`;
  return AutoTokenizer.from_pretrained(repo);
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
const ranking = (z: Float32Array, rows: number) =>
  [...z.subarray(0, rows)].map((score, id) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);

describe('faults that heal: one clear line, nothing broken kept in the cache folder, the next load works', () => {
  const DEMO = ['--embed', 'hubtest/demo-embed', '--base', 'hubtest/demo-base', '--pooling', DEMO_POOLING];
  const alignWith = (cacheDir: string, extra: string[] = DEMO) =>
    lens(['align', ...extra, '--hub-url', hub.url, '--cache-dir', cacheDir, '--input', '-', '--json'], TEXTS);
  const cached = (cacheDir: string, file: string) => existsSync(join(cacheDir, file));
  const reference = async () => (await lens(['align', '--pair', 'demo', '--input', '-', '--json'], TEXTS)).stdout;

  const cases: [string, Fault, RegExp, string][] = [
    [
      'a download cut off mid-file at every try',
      { match: 'demo-embed/onnx/model.onnx', kind: 'truncate', times: 4 },
      /hubtest\/demo-embed\/onnx\/model\.onnx: the download was cut off after [\d,]+ of [\d,]+ bytes/,
      'hubtest/demo-embed/onnx/model.onnx',
    ],
    [
      'an HTML page for tokenizer.json at every try',
      { match: 'demo-embed/resolve/main/tokenizer.json', kind: 'html', times: 4 },
      /hubtest\/demo-embed\/tokenizer\.json is an HTML page, not JSON/,
      'hubtest/demo-embed/tokenizer.json',
    ],
    [
      'a corrupt ONNX file',
      { match: 'demo-base/onnx/model.onnx', kind: 'corrupt', times: 1 },
      /hubtest\/demo-base\/onnx\/model\.onnx could not be loaded: .*removed from the cache/,
      'hubtest/demo-base/onnx/model.onnx',
    ],
    [
      'a server error that outlasts the retries',
      { match: 'demo-base/resolve/main/config.json', kind: 'status', status: 503, times: 4 },
      /hubtest\/demo-base\/config\.json: the server answered 503 .*4 times \(retried with backoff\)/,
      'hubtest/demo-base/config.json',
    ],
  ];
  for (const [name, fault, message, file] of cases) {
    it(name, async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'lens-cache-'));
      await setFaults(hub.url, [fault]);
      const broken = await alignWith(cacheDir);
      expect(broken.code).not.toBe(0);
      expect(broken.stderr).toMatch(message);
      expect(
        broken.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('lens align:')),
      ).toHaveLength(1);
      expect(cached(cacheDir, file)).toBe(false);
      // The server is healthy again: the same command works and gives the local pair's tokens.
      await setFaults(hub.url, []);
      const healed = await alignWith(cacheDir);
      expect(healed.stderr).not.toMatch(/lens align:/);
      expect(healed.code).toBe(0);
      const ids = (out: string) => records(out).map((r) => [r.embed.top.map((t) => t.id), r.base.top.map((t) => t.id)]);
      expect(ids(healed.stdout)).toEqual(ids(await reference()));
      expect(cached(cacheDir, file)).toBe(true);
    }, 180_000);
  }

  it('429 and 503 now and then, a cut or a page in place of a file once, are retried: the load works at once', async () => {
    await setFaults(hub.url, [
      { match: 'demo-embed/resolve/main/config.json', kind: 'status', status: 429, times: 1 },
      { match: 'demo-base/onnx/model.onnx', kind: 'status', status: 503, times: 2 },
      { match: 'demo-embed/onnx/model.onnx', kind: 'truncate', times: 1 },
      { match: 'demo-base/resolve/main/tokenizer.json', kind: 'html', times: 1 },
    ]);
    const out = await alignWith(mkdtempSync(join(tmpdir(), 'lens-cache-')));
    expect(out.code).toBe(0);
    expect(hub.faults.every((f) => f.times === 0)).toBe(true);
    await setFaults(hub.url, []);
  });

  it('a 404 for the first GET of tokenizer_config.json (the probe transformers.js sizes it with): one line naming the file, no JavaScript error', async () => {
    await setFaults(hub.url, [
      { match: 'demo-embed/resolve/main/tokenizer_config.json', method: 'GET', kind: 'status', status: 404, errorCode: 'EntryNotFound', times: 1 },
    ]);
    const out = await alignWith(mkdtempSync(join(tmpdir(), 'lens-cache-')));
    await setFaults(hub.url, []);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('lens align: hubtest/demo-embed/tokenizer_config.json: the repository has no such file (404 EntryNotFound).');
    expect(out.stderr).not.toMatch(/Cannot read properties|undefined|Unexpected token/);
  });

  it('a safetensors header whose offsets lie, a repo with no onnx/ folder, a Hub URL that is not http(s)', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'lens-cache-'));
    const lying = await alignWith(cacheDir, ['--embed', 'hubtest/demo-embed', '--base', 'hubtest/lying-head', '--pooling', DEMO_POOLING]);
    expect(lying.stderr).toMatch(
      /hubtest\/lying-head\/model\.safetensors: asked for bytes .* but the file has [\d,]+: its safetensors header's offsets are wrong/,
    );
    const noOnnx = await alignWith(cacheDir, ['--embed', 'hubtest/no-onnx', '--base', 'hubtest/demo-base', '--pooling', 'mean']);
    expect(noOnnx.stderr).toMatch(/hubtest\/no-onnx has no ONNX model under onnx\//);
    for (const url of ['javascript:alert(1)', 'file:///etc', 'ftp://example.org']) {
      const out = await lens(['align', ...DEMO, '--hub-url', url, '--input', '-'], TEXTS);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/The Hub URL must start with http:\/\/ or https:\/\//);
    }
  });
});

describe('catalog pairs on stand-ins built as the real exports are (tools/fused)', () => {
  it('qwen3-0.6b: the real Qwen3 vocabulary, last-token embedder ending on its EOS, logits-only base with a KV cache, W from one bf16 safetensors', async () => {
    hub.log.length = 0;
    const out = await lens(['align', '--pair', 'qwen3-0.6b', '--hub-url', hub.url, '--input', '-', '--json'], TEXTS);
    expect(out.stderr).not.toMatch(/lens align:/);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('(fp32)'); // the CPU's choice; the repos have every variant
    const tokenizerSize = 151_669; // W has 151,936 rows: the padding rows are never ranked
    const embedTokenizer = await hubTokenizer('onnx-community/Qwen3-Embedding-0.6B-ONNX');
    for (const [i, record] of records(out.stdout).entries()) {
      const text = TEXTS.split('\n')[i];
      for (const view of [record.embed, record.base]) expect(Math.max(...view.top.map((t) => t.id))).toBeLessThan(tokenizerSize);
      // The base model reads the plain text with its own tokenizer (no EOS): its view from the appended
      // hidden-state output equals the export's own logits, mean-pooled.
      expect(record.tokens.at(-1)?.id).not.toBe(QWEN3_EOS);
      const base = await pooledLogits(
        QWEN3_BASE,
        record.tokens.map((t) => t.id),
        'mean',
        QWEN3_KV,
      );
      for (const t of record.base.top) expect(t.score).toBeCloseTo(base[t.id], 2);
      // The embedder reads the query template and ends on <|endoftext|>, the token its last-token pooling reads.
      const embedIds = embedTokenizer.encode(QWEN3_QUERY_TEMPLATE.replace('{text}', text), { add_special_tokens: true }) as number[];
      expect(embedIds.at(-1)).toBe(QWEN3_EOS);
      const h = await lastHiddenState(QWEN3_EMBED, embedIds);
      const w = qwen3W();
      for (const t of record.embed.top) expect(t.score).toBeCloseTo(dotRow(w, t.id, h), 2);
    }
    // W came from Qwen/Qwen3-0.6B's one model.safetensors, by Range requests through the CDN redirect.
    const wReads = hub.log.filter((l) => l.path.includes('Qwen/Qwen3-0.6B/') && l.path.endsWith('model.safetensors') && l.method === 'GET');
    expect(wReads.some((l) => l.path.startsWith('/_cdn/') && l.status === 206)).toBe(true);
    expect(wReads.every((l) => l.range !== undefined)).toBe(true);
  }, 300_000);

  it('qwen3-0.6b in q8 and q4f16 (--dtype) loads those files; a dtype a repo lacks fails naming those it has', async () => {
    for (const dtype of ['q8', 'q4f16']) {
      hub.log.length = 0;
      const out = await lens(['align', '--pair', 'qwen3-0.6b', '--dtype', dtype, '--hub-url', hub.url, '--input', '-', '--json'], TEXTS);
      expect(out.code).toBe(0);
      const file = dtype === 'q8' ? 'model_quantized.onnx' : 'model_q4f16.onnx';
      const bodies = hub.log.filter((l) => l.method === 'GET' && l.path.startsWith('/_cdn/') && l.path.includes('/onnx/')).map((l) => l.path.split('/').pop());
      expect(new Set(bodies)).toEqual(new Set([file]));
    }
    const missing = await lens(['align', '--pair', 'smollm2-135m-eol', '--dtype', 'q8', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('HuggingFaceTB/SmolLM2-135M-Instruct: no q8 variant (onnx/model_quantized.onnx); available: fp32, fp16, q4, q4f16.');
    const unknown = await lens(['align', '--pair', 'qwen3-0.6b', '--dtype', 'int3', '--hub-url', hub.url, '--input', '-'], TEXTS);
    expect(unknown.stderr).toContain('--dtype must be one of fp32, fp16, q8, q4, q4f16');
  }, 300_000);

  it('smollm2-135m-eol: PromptEOL on one logits-only causal LM', async () => {
    const out = await lens(['align', '--pair', 'smollm2-135m-eol', '--hub-url', hub.url, '--input', '-', '--json'], TEXTS);
    expect(out.code).toBe(0);
    const tokenizerSize = 272;
    // Same model, two readings, each checked against the export's own logits run here:
    // the embedding view is the PromptEOL prompt's last-token logits, the base view the plain text's mean logits.
    for (const [i, record] of records(out.stdout).entries()) {
      const text = TEXTS.split('\n')[i];
      const prompt = await pooledLogits(SMOL_BASE, await standInIds(PROMPT_EOL_TEMPLATE.replace('{text}', text)), 'last');
      const plain = await pooledLogits(
        SMOL_BASE,
        record.tokens.map((t) => t.id),
        'mean',
      );
      for (const [view, reference] of [
        [record.embed, prompt],
        [record.base, plain],
      ] as const) {
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
    writeFileSync(
      join(modelsDir, 'sgpt-125m/manifest.json'),
      JSON.stringify({ ...manifest, lmHead: { ...manifest.lmHead, rows: shapes.lmHead.rows, cols: shapes.lmHead.cols }, vocabSize: shapes.vocabSize }),
    );

    const listed = JSON.parse((await lens(['models', '--json', '--models-dir', modelsDir], '')).stdout);
    expect(listed.find((row: { id: string }) => row.id === 'sgpt-125m')).toMatchObject({
      embed: 'sgpt-125m/embed',
      base: 'sgpt-125m/base',
      pooling: 'weighted-mean',
      available: true,
    });

    const local = await lens(['align', '--pair', 'sgpt-125m', '--models-dir', modelsDir, '--input', '-', '--json'], TEXTS);
    expect(local.stderr).not.toMatch(/lens align:/);
    const viaHub = await lens(
      [
        'align',
        '--embed',
        'hubtest/sgpt-125m-onnx',
        '--base',
        'hubtest/gpt-neo-125m-onnx',
        '--pooling',
        'weighted-mean',
        '--hub-url',
        hub.url,
        '--input',
        '-',
        '--json',
      ],
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
    expect(rows[1]).toMatchObject({
      embed: 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
      base: 'onnx-community/Qwen3-0.6B-ONNX',
      head: 'Qwen/Qwen3-0.6B',
      pooling: 'last',
    });
  });
});
