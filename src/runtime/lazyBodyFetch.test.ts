import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyBodyFetch } from './lazyBodyFetch';

// A real HTTP server that counts what it is asked for.
const requests: string[] = [];
let server: Server;
let base = '';
const BODY = 'x'.repeat(100_000);

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/models/missing') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    if (req.url === '/models/no-head' && req.method === 'HEAD') {
      res.statusCode = 405;
      res.end();
      return;
    }
    res.setHeader('Content-Length', String(BODY.length));
    res.end(req.method === 'HEAD' ? undefined : BODY);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('lazyBodyFetch', () => {
  it('reads headers with a HEAD and fetches the body only when it is read', async () => {
    requests.length = 0;
    const lazy = lazyBodyFetch(fetch, `${base}/models/`);
    const metadataOnly = await lazy(`${base}/models/a.onnx`);
    expect(metadataOnly.headers.get('content-length')).toBe(String(BODY.length));
    expect(requests).toEqual(['HEAD /models/a.onnx']);
    const loaded = await lazy(`${base}/models/a.onnx`);
    expect(await loaded.text()).toBe(BODY);
    expect(requests).toEqual(['HEAD /models/a.onnx', 'HEAD /models/a.onnx', 'GET /models/a.onnx']);
  });

  it('passes a 404 through, and falls back to GET when HEAD is refused', async () => {
    requests.length = 0;
    const lazy = lazyBodyFetch(fetch, `${base}/models/`);
    expect((await lazy(`${base}/models/missing`)).status).toBe(404);
    expect(await (await lazy(`${base}/models/no-head`)).text()).toBe(BODY);
    expect(requests).toEqual(['HEAD /models/missing', 'HEAD /models/no-head', 'GET /models/no-head']);
  });

  it('leaves Range requests and other URLs alone', async () => {
    requests.length = 0;
    const lazy = lazyBodyFetch(fetch, `${base}/models/`);
    await (await lazy(`${base}/models/a.onnx`, { headers: { Range: 'bytes=0-0' } })).arrayBuffer();
    await (await lazy(`${base}/other`)).arrayBuffer();
    expect(requests).toEqual(['GET /models/a.onnx', 'GET /other']);
  });
});
