import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGraph } from '../core/onnx/graph';
import { hiddenStatePatch, LAYER_OUTPUT_PREFIX } from '../core/onnx/patch';
import { hiddenStateFetch } from './hiddenStateFetch';

const SHAPES = resolve(import.meta.dirname, '../../models/test-shapes');
const logitsOnly = readFileSync(join(SHAPES, 'qwen3-base/onnx/model.onnx'));
const withHidden = readFileSync(join(SHAPES, 'qwen3-embed/onnx/model.onnx'));
const alreadyPatched = Buffer.concat([logitsOnly, hiddenStatePatch(logitsOnly)!]);
const FILES: Record<string, Buffer> = {
  '/base/model.onnx': logitsOnly,
  '/embed/model.onnx': withHidden,
  '/patched/model.onnx': alreadyPatched,
  '/base/config.json': Buffer.from('{}'),
};

let server: Server;
let base = '';
beforeAll(async () => {
  // Sends each file in small writes, as a network would.
  server = createServer(async (req, res) => {
    const file = FILES[req.url ?? ''];
    if (!file) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Length', String(file.length));
    for (let pos = 0; pos < file.length; pos += 3000) res.write(file.subarray(pos, pos + 3000));
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const get = async (path: string) => new Uint8Array(await (await hiddenStateFetch(fetch)(`${base}${path}`)).arrayBuffer());

describe('hiddenStateFetch', () => {
  it('appends the hidden-state output to a logits-only model as it streams', async () => {
    const bytes = await get('/base/model.onnx');
    expect(bytes.length).toBeGreaterThan(logitsOnly.length);
    expect(readGraph(bytes).outputs).toContain('last_hidden_state');
    expect(Buffer.from(bytes.subarray(0, logitsOnly.length)).equals(logitsOnly)).toBe(true);
  });

  it('gives a model with hidden states of its own only the layer taps (core/onnx/patterns.ts findLayerTaps)', async () => {
    const bytes = await get('/embed/model.onnx');
    expect(Buffer.from(bytes.subarray(0, withHidden.length)).equals(withHidden)).toBe(true);
    const outputs = readGraph(bytes).outputs;
    expect(outputs.filter((o) => o === 'last_hidden_state')).toHaveLength(1);
    expect(outputs).toContain(`${LAYER_OUTPUT_PREFIX}2`);
  });

  it('passes already-patched models and other files through unchanged', async () => {
    expect(Buffer.from(await get('/patched/model.onnx')).equals(alreadyPatched)).toBe(true);
    expect(new TextDecoder().decode(await get('/base/config.json'))).toBe('{}');
    expect((await hiddenStateFetch(fetch)(`${base}/missing.onnx`)).status).toBe(404);
  });
});
