import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, setFaults, startHubServer } from '../../tools/hub/hubServer';
import { decodeBfloat16, decodeFloat16 } from '../core/lmHead';
import { writeSafetensors } from '../core/safetensors';
import type { Fault } from './faults';
import { HubClient, loadLmHeadFromHub } from './hub';

// Models the test builds, laid out as on the Hub: a Qwen3-shaped sharded bf16
// checkpoint with tied embeddings and padding rows, a GPT-Neo-shaped single
// file, an untied f16 head, and a file that is not what its name says.
const root = mkdtempSync(join(tmpdir(), 'lens-hub-'));
const V = 40;
const D = 8;
const values = Float32Array.from({ length: V * D }, (_, i) => Math.sin(i) * 2);

function repo(id: string, files: Record<string, string | Uint8Array>) {
  mkdirSync(join(root, id), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, id, name), content);
}
const bf16 = new Uint8Array(Uint16Array.from(new Uint32Array(values.buffer), (w) => w >>> 16).buffer);
const f32 = new Uint8Array(values.buffer);
repo('gen/qwen3-shaped', {
  'config.json': JSON.stringify({ model_type: 'qwen3', tie_word_embeddings: true, vocab_size: V }),
  'model.safetensors.index.json': JSON.stringify({
    weight_map: { 'model.norm.weight': 'model-00001-of-00002.safetensors', 'model.embed_tokens.weight': 'model-00002-of-00002.safetensors' },
  }),
  'model-00001-of-00002.safetensors': writeSafetensors({ 'model.norm.weight': { dtype: 'F32', shape: [D], data: new Uint8Array(D * 4) } }),
  'model-00002-of-00002.safetensors': writeSafetensors({ 'model.embed_tokens.weight': { dtype: 'BF16', shape: [V, D], data: bf16 } }),
});
repo('gen/neo-shaped', {
  'config.json': JSON.stringify({ model_type: 'gpt_neo', tie_word_embeddings: true }),
  'model.safetensors': writeSafetensors({
    'transformer.ln_f.weight': { dtype: 'F32', shape: [D], data: new Uint8Array(D * 4) },
    'transformer.wte.weight': { dtype: 'F32', shape: [V, D], data: f32 },
  }),
});
repo('gen/untied-f16', {
  'config.json': JSON.stringify({ tie_word_embeddings: false }),
  'model.safetensors': writeSafetensors({
    'lm_head.weight': { dtype: 'F16', shape: [2, 2], data: new Uint8Array(new Uint16Array([0x3c00, 0x4000, 0xbc00, 0x3800]).buffer) },
  }),
});
repo('gen/not-safetensors', { 'config.json': '{}', 'model.safetensors': '<!doctype html><title>Not found</title>' });
repo('gen/gated', { 'config.json': '{}' });
repo('gen/private', { 'config.json': '{}' });

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ roots: [root], denied: { 'gen/gated': 401, 'gen/private': 403 } });
});
afterAll(() => hub.close());

describe('Hub URLs', () => {
  it('refuses anything but http(s), in one line that says so', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.org', 'data:text/plain,x']) {
      expect(() => new HubClient({ baseUrl: url })).toThrow(/must start with http:\/\/ or https:\/\//);
    }
    expect(() => new HubClient({ baseUrl: 'not a url' })).toThrow(/not a Hub URL/);
    expect(new HubClient({ baseUrl: 'https://hub.example.org/mirror/' }).baseUrl).toBe('https://hub.example.org/mirror');
  });
});

describe('LM head from the Hub via Range requests', () => {
  it('retries a 503 and a 429 on the way, then reads W', async () => {
    await setFaults(hub.url, [
      { match: '00002-of-00002.safetensors', kind: 'status', status: 503, times: 1 },
      { match: 'config.json', kind: 'status', status: 429, times: 1 },
    ]);
    const head = await loadLmHeadFromHub(new HubClient({ baseUrl: hub.url }), 'gen/qwen3-shaped');
    expect(head.rows).toBe(V);
    expect(hub.faults.every((f) => f.times === 0)).toBe(true);
  });

  it('Qwen3-shaped: sharded bf16 with tied embeddings; reads only the header and that tensor', async () => {
    hub.log.length = 0;
    const head = await loadLmHeadFromHub(new HubClient({ baseUrl: hub.url }), 'gen/qwen3-shaped');
    expect(head).toMatchObject({ dtype: 'bfloat16', rows: V, cols: D, tensor: 'model.embed_tokens.weight', file: 'model-00002-of-00002.safetensors' });
    for (const i of [0, 7, 100, V * D - 1]) expect(decodeBfloat16(head.data[i])).toBeCloseTo(values[i], 1);
    // As on the real Hub: resolve/ answers 302 to the CDN's origin, which serves the Range.
    const ranged = hub.log.filter((l) => l.path.endsWith('00002-of-00002.safetensors'));
    expect(ranged.every((l) => (l.path.startsWith('/_cdn/') ? l.status === 206 : l.status === 302))).toBe(true);
    expect(ranged.some((l) => l.path.startsWith('/_cdn/') && l.range !== undefined)).toBe(true);
    expect(hub.log.some((l) => l.path.endsWith('00001-of-00002.safetensors'))).toBe(false);
  });

  it('GPT-Neo-shaped: transformer.wte.weight in f32', async () => {
    const head = await loadLmHeadFromHub(new HubClient({ baseUrl: hub.url }), 'gen/neo-shaped');
    expect(head).toMatchObject({ dtype: 'float32', rows: V, cols: D, tensor: 'transformer.wte.weight' });
    expect(Array.from(head.data.subarray(0, 4))).toEqual(Array.from(values.subarray(0, 4)));
  });

  it('untied f16 lm_head.weight', async () => {
    const head = await loadLmHeadFromHub(new HubClient({ baseUrl: hub.url }), 'gen/untied-f16');
    expect(Array.from(head.data, decodeFloat16)).toEqual([1, 2, -1, 0.5]);
  });

  const failure = async (repo: string, client = new HubClient({ baseUrl: hub.url })) => {
    try {
      await loadLmHeadFromHub(client, repo);
    } catch (error) {
      return error as Fault;
    }
    throw new Error('expected a failure');
  };

  it('clear failures: unknown id, gated, private, not a model id, not safetensors, no Range, offline', async () => {
    // As the Hub answers (docs/hub-facts.md): 401 RepoNotFound for a repo that does not exist, 401/403 GatedRepo for a gated one.
    expect(await failure('nobody/nothing')).toMatchObject({
      kind: 'no-repo',
      message: 'nobody/nothing: no such repository on the Hub, or it is private (401 RepoNotFound, asked for config.json). Check the id.',
    });
    expect(await failure('gen/gated')).toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('gen/gated is gated (401 GatedRepo') });
    expect(await failure('gen/private')).toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('gen/private is gated (403 GatedRepo') });
    expect(await failure('not a model id')).toMatchObject({ kind: 'invalid-id' });
    expect(await failure('gen/not-safetensors')).toMatchObject({ kind: 'bad-file', message: expect.stringContaining('not a safetensors file') });

    const noRange = await startHubServer({ roots: [root], ignoreRange: true });
    expect(await failure('gen/neo-shaped', new HubClient({ baseUrl: noRange.url }))).toMatchObject({ kind: 'no-range' });
    await noRange.close();

    const wrong = new Uint8Array(writeSafetensors({ 'lm_head.weight': { dtype: 'F32', shape: [V, D], data: f32 } }));
    repo('gen/lying-header', { 'config.json': JSON.stringify({ tie_word_embeddings: false }), 'model.safetensors': wrong.subarray(0, wrong.length - 64) });
    expect(await failure('gen/lying-header')).toMatchObject({
      kind: 'bad-file',
      message: expect.stringMatching(/gen\/lying-header\/model\.safetensors: .*past|offsets are wrong/),
    });

    expect(await failure('gen/neo-shaped', new HubClient({ baseUrl: 'http://127.0.0.1:9' }))).toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining('offline or unreachable'),
    });
  });
});
