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

  it("retries 503 and 429 with backoff, a 429's Retry-After (0 here) first, then succeeds", async () => {
    await setFaults(hub.url, [
      { match: 'config.json', kind: 'status', status: 503, times: 2 },
      { match: 'config.json', kind: 'status', status: 429, times: 1 },
    ]);
    const waits: number[] = [];
    const response = await resilientFetch(fetch, { baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) })(url('config.json'));
    expect(response.status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(await bytes(response))).model_type).toBe('qwen3');
    expect(waits).toEqual([100, 200, 0]);
  });

  it('waits as long as Retry-After says, up to its cap', async () => {
    await setFaults(hub.url, [
      { match: 'config.json', kind: 'status', status: 503, retryAfter: 2, times: 1 },
      { match: 'config.json', kind: 'status', status: 429, retryAfter: 3600, times: 1 },
    ]);
    const waits: number[] = [];
    await resilientFetch(fetch, { sleep: async (ms) => void waits.push(ms) })(url('config.json'));
    expect(waits).toEqual([2000, 10_000]);
  });

  it('gives up after the retries, naming the file and the status', async () => {
    await setFaults(hub.url, [{ match: 'config.json', kind: 'status', status: 500, times: 10 }]);
    const error = await resilientFetch(fetch, { ...noWait, retries: 2 })(url('config.json')).catch((e) => e);
    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ kind: 'server', status: 500 });
    expect(error.message).toMatch(/^org\/model\/config\.json: the server answered 500 .*3 times/);
  });

  it('asks again after a connection reset before any header, on HEAD and GET', async () => {
    await setFaults(hub.url, [
      { match: 'config.json', method: 'HEAD', kind: 'reset', times: 1 },
      { match: 'config.json', method: 'GET', kind: 'reset', times: 1 },
    ]);
    const fetchIt = resilientFetch(fetch, noWait);
    expect((await fetchIt(url('config.json'), { method: 'HEAD' })).status).toBe(200);
    expect(JSON.parse(await (await fetchIt(url('config.json'))).text()).hidden_size).toBe(8);
    expect(hub.log.filter((l) => l.status === 0)).toHaveLength(2);
  });

  it('resumes a body cut off before its Content-Length where it stopped (a Range request), and reports it downloaded once', async () => {
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'truncate', times: 1 }]);
    const downloaded: string[] = [];
    hub.log.length = 0;
    const response = await resilientFetch(fetch, { ...noWait, onDownloaded: (u) => downloaded.push(u) })(url('onnx/model.onnx'));
    expect(await bytes(response)).toEqual(ONNX);
    expect(downloaded).toEqual([url('onnx/model.onnx')]);
    expect(hub.log.some((l) => l.path.startsWith('/_cdn/') && l.range === 'bytes=2048-' && l.status === 206)).toBe(true);
  });

  it('resumes a Range read cut off, within its range', async () => {
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'truncate', times: 1 }]);
    const part = await resilientFetch(fetch, noWait)(url('onnx/model.onnx'), { headers: { Range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(await bytes(part)).toEqual(ONNX.subarray(100, 1100));
  });

  it('fails a body cut off at every try, and does not report it downloaded', async () => {
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'truncate', times: 10 }]);
    const downloaded: string[] = [];
    const response = await resilientFetch(fetch, { ...noWait, onDownloaded: (u) => downloaded.push(u) })(url('onnx/model.onnx'));
    const error = await response.arrayBuffer().catch((e) => e);
    expect(error).toBeInstanceOf(Fault);
    expect(error.kind).toBe('cut-off');
    expect(error.message).toMatch(/org\/model\/onnx\/model\.onnx: the download was cut off after [\d,]+ of 4,096 bytes/);
    expect(downloaded).toEqual([]);
    // The server is healthy again: the same fetch works.
    await setFaults(hub.url, []);
    expect(await bytes(await resilientFetch(fetch, noWait)(url('onnx/model.onnx')))).toEqual(ONNX);
  });

  it('drops a download that stops sending and resumes it; reports one that stalls at every try with the bytes received', async () => {
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'stall', stallMs: 5_000, times: 1 }]);
    const fetchIt = resilientFetch(fetch, { ...noWait, stallMs: 200 });
    const started = performance.now();
    expect(await bytes(await fetchIt(url('onnx/model.onnx')))).toEqual(ONNX);
    expect(performance.now() - started).toBeLessThan(4_000);

    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'stall', stallMs: 5_000, times: 10 }]);
    const error = await (await fetchIt(url('onnx/model.onnx'))).arrayBuffer().catch((e) => e);
    expect(error).toMatchObject({ kind: 'stalled' });
    expect(error.message).toMatch(/^org\/model\/onnx\/model\.onnx: the download stalled: nothing arrived for 0\.2 s after [\d,]+ of 4,096 bytes/);
  });

  it('asks again for an HTML page served in place of JSON, ONNX or a Range read; reports one that stays', async () => {
    await setFaults(hub.url, [
      { match: 'config.json', kind: 'html', times: 1 },
      { match: 'onnx/model.onnx', kind: 'html', times: 2 },
    ]);
    const fetchIt = resilientFetch(fetch, noWait);
    expect(JSON.parse(await (await fetchIt(url('config.json'))).text()).hidden_size).toBe(8);
    expect(await bytes(await fetchIt(url('onnx/model.onnx')))).toEqual(ONNX);
    await setFaults(hub.url, [{ match: 'onnx/model.onnx', kind: 'html', times: 1 }]);
    const part = await fetchIt(url('onnx/model.onnx'), { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(await bytes(part)).toEqual(ONNX.subarray(0, 10));

    await setFaults(hub.url, [
      { match: 'config.json', kind: 'html', times: 10 },
      { match: 'onnx/model.onnx', kind: 'html', times: 10 },
    ]);
    await expect(fetchIt(url('config.json'))).rejects.toThrow(/config\.json is an HTML page, not JSON/);
    await expect(fetchIt(url('onnx/model.onnx'))).rejects.toThrow(/onnx\/model\.onnx is an HTML page, not an ONNX model/);
  });

  it("reads the Hub's error codes: no such repo, a gated one, no such revision, a missing file a model needs", async () => {
    const fetchIt = resilientFetch(fetch, noWait);
    await expect(fetchIt(`${hub.url}/nobody/nothing/resolve/main/config.json`)).rejects.toMatchObject({
      kind: 'no-repo',
      message: 'nobody/nothing: no such repository on the Hub, or it is private (401 RepoNotFound, asked for config.json). Check the id.',
    });
    await expect(fetchIt(`${hub.url}/org/model/resolve/v9/config.json`)).rejects.toMatchObject({ kind: 'no-revision' });
    await expect(fetchIt(url('tokenizer.json'))).rejects.toMatchObject({
      kind: 'not-found',
      message: 'org/model/tokenizer.json: the repository has no such file (404 EntryNotFound). Check the model id.',
    });
    await setFaults(hub.url, [{ match: 'config.json', kind: 'status', status: 403, errorCode: 'GatedRepo', times: 1 }]);
    await expect(fetchIt(url('config.json'))).rejects.toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('is gated (403 GatedRepo') });
  });

  it('ends at once when the caller aborts, even while it waits to retry', async () => {
    await setFaults(hub.url, [{ match: 'config.json', kind: 'status', status: 503, retryAfter: 10, times: 1 }]);
    const abort = new AbortController();
    const started = performance.now();
    const pending = resilientFetch(fetch)(url('config.json'), { signal: abort.signal }).catch((e) => e);
    setTimeout(() => abort.abort(new Error('cancelled')), 100);
    expect(await pending).toMatchObject({ message: 'cancelled' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('names an unreachable host', async () => {
    const error = await resilientFetch(fetch, noWait)('http://127.0.0.1:9/org/model/resolve/main/config.json').catch((e) => e);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect(error.message).toMatch(/org\/model\/config\.json: could not connect .*offline or unreachable/);
  });

  it('leaves 404s of optional files and Range reads to the caller', async () => {
    const fetchIt = resilientFetch(fetch, noWait);
    expect((await fetchIt(url('generation_config.json'))).status).toBe(404);
    const part = await fetchIt(url('onnx/model.onnx'), { headers: { Range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(await bytes(part)).toEqual(ONNX.subarray(0, 10));
  });

  it('describes Hub URLs by repo and file', () => {
    expect(describeUrl('https://huggingface.co/Qwen/Qwen3-0.6B/resolve/main/onnx/model_q4.onnx')).toBe('Qwen/Qwen3-0.6B/onnx/model_q4.onnx');
  });
});
