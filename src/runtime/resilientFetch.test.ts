import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HubServer, setFaults, startHubServer } from '../../tools/hub/hubServer';
import { describeUrl, Fault } from './faults';
import { resilientFetch } from './resilientFetch';

// A real HTTP server (the stand-in Hub) with its fault switches: what a flaky Hub does, on the wire.
const root = mkdtempSync(join(tmpdir(), 'lens-faults-'));
const ONNX = new Uint8Array(4096).map((_, i) => (i * 7) & 255);
mkdirSync(join(root, 'org/model/onnx'), { recursive: true });
writeFileSync(join(root, 'org/model/config.json'), JSON.stringify({ model_type: 'qwen3', hidden_size: 8 }));
writeFileSync(join(root, 'org/model/onnx/model.onnx'), ONNX);

let hub: HubServer;
beforeAll(async () => {
  hub = await startHubServer({ roots: [root] });
});
afterAll(() => hub.close());
beforeEach(() => setFaults(hub.url, []));

const noWait = { baseDelayMs: 1, sleep: async () => {} };
const url = (file: string) => `${hub.url}/org/model/resolve/main/${file}`;
const bytes = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('resilientFetch against the stand-in Hub', () => {
  it('follows the redirect to the CDN origin and reports whole downloads', async () => {
    const downloaded: string[] = [];
    const response = await resilientFetch(fetch, { ...noWait, onDownloaded: (u) => downloaded.push(u) })(url('onnx/model.onnx'));
    expect(await bytes(response)).toEqual(ONNX);
    expect(hub.log.some((l) => l.path.startsWith('/_cdn/org/model/onnx/model.onnx') && l.status === 200)).toBe(true);
    expect(downloaded).toEqual([url('onnx/model.onnx')]);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    await setFaults(hub.url, [
      { match: 'config.json', kind: 'status', status: 503, times: 2 },
      { match: 'config.json', kind: 'status', status: 429, times: 1 },
    ]);
    const waits: number[] = [];
    const response = await resilientFetch(fetch, { baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) })(url('config.json'));
    expect(response.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(await bytes(response))).model_type).toBe('qwen3');
    expect(waits).toEqual([100, 200, 400]);
  });

  it('gives up after the retries, naming the file and the status', async () => {
    await setFaults(hub.url, [{ match: 'config.json', kind: 'status', status: 500, times: 10 }]);
    const error = await resilientFetch(fetch, { ...noWait, retries: 2 })(url('config.json')).catch((e) => e);
    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ kind: 'server', status: 500 });
    expect(error.message).toMatch(/^org\/model: config\.json: the server answered 500 .*3 times/);
  });

  it('fails a body cut off before its Content-Length, and does not report it downloaded', async () => {
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'truncate', times: 1 }]);
    const downloaded: string[] = [];
    const response = await resilientFetch(fetch, { ...noWait, onDownloaded: (u) => downloaded.push(u) })(url('onnx/model.onnx'));
    const error = await response.arrayBuffer().catch((e) => e);
    expect(error).toBeInstanceOf(Fault);
    expect(error.kind).toBe('cut-off');
    expect(error.message).toMatch(/org\/model: onnx\/model\.onnx: the download was cut off after [\d,]+ of 4,096 bytes/);
    expect(downloaded).toEqual([]);
    // The server is healthy again: the same fetch works.
    expect(await bytes(await resilientFetch(fetch, noWait)(url('onnx/model.onnx')))).toEqual(ONNX);
  });

  it('fails an HTML page served in place of JSON or ONNX', async () => {
    await setFaults(hub.url, [
      { match: 'config.json', kind: 'html', times: 1 },
      { match: 'onnx/model.onnx', kind: 'html', times: 1 },
    ]);
    const fetchIt = resilientFetch(fetch, noWait);
    await expect((await fetchIt(url('config.json'))).text()).rejects.toThrow(/config\.json is an HTML page, not JSON/);
    await expect((await fetchIt(url('onnx/model.onnx'))).arrayBuffer()).rejects.toThrow(/onnx\/model\.onnx is an HTML page, not an ONNX model/);
  });

  it('names an unreachable host', async () => {
    const error = await resilientFetch(fetch, noWait)('http://127.0.0.1:9/org/model/resolve/main/config.json').catch((e) => e);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect(error.message).toMatch(/org\/model: config\.json: could not connect .*offline or unreachable/);
  });

  it('leaves 404s and Range reads to the caller', async () => {
    const fetchIt = resilientFetch(fetch, noWait);
    expect((await fetchIt(url('generation_config.json'))).status).toBe(404);
    const part = await fetchIt(url('onnx/model.onnx'), { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(await bytes(part)).toEqual(ONNX.subarray(0, 10));
  });

  it('describes Hub URLs by repo and file', () => {
    expect(describeUrl('https://huggingface.co/Qwen/Qwen3-0.6B/resolve/main/onnx/model_q4.onnx')).toBe('Qwen/Qwen3-0.6B: onnx/model_q4.onnx');
  });
});
