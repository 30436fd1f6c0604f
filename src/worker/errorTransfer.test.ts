import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubServer, setFaults, startHubServer } from '../../tools/hub/hubServer';
import { Fault, loadFailureMessage, reportOf } from '../runtime/faults';
import { HubClient } from '../runtime/hub';
import { faultOf, registerErrorTransfer, WorkerError } from './errorTransfer';

// A Hub stand-in with one repo; each test's fault is a real answer of the server, read by the real HubClient
// on the "worker" end of a MessageChannel, and caught on the "page" end, as the app's worker and page do.
const root = mkdtempSync(join(tmpdir(), 'lens-transfer-'));
for (const repo of ['org/model', 'org/gated']) {
  mkdirSync(join(root, repo), { recursive: true });
  writeFileSync(join(root, repo, 'config.json'), '{}');
}

let server: HubServer;
let page: Comlink.Remote<{ read(repo: string, file: string): Promise<string>; fail(kind: 'load' | 'plain'): Promise<void> }>;
beforeAll(async () => {
  server = await startHubServer({ roots: [root], denied: { 'org/gated': 401 } });
  registerErrorTransfer(reportOf);
  // The app's own fetch without retries, so that a 503 is reported at once.
  const hub = new HubClient({ baseUrl: server.url, fetch: (input, init) => fetch(input, init) });
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(
    {
      read: async (repo: string, file: string) => new TextDecoder().decode(await hub.range(repo, file, 0, 2)),
      async fail(kind: 'load' | 'plain') {
        if (kind === 'plain') throw new TypeError('onnxruntime: something of its own');
        const fault = new Fault('cut-off', { url: hub.url('org/model', 'onnx/model.onnx'), loaded: 10, total: 20 });
        throw new Error(loadFailureMessage(fault, { forgotten: 2 }), { cause: fault });
      },
    },
    port1,
  );
  page = Comlink.wrap(port2);
});
afterAll(async () => {
  page[Comlink.releaseProxy]();
  await server.close();
});

const rejection = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkerError);
  return error as WorkerError;
};

describe('a fault thrown in the worker reaches the page as data', () => {
  it('a repo that is not there: kind no-repo, with repo and file, no Retry', async () => {
    const error = await rejection(page.read('org/missing', 'config.json'));
    expect(faultOf(error)).toMatchObject({ kind: 'no-repo', repo: 'org/missing', file: 'config.json', retryable: false });
    expect(error.message).toBe(faultOf(error)?.message);
  });

  it('a gated repo: unauthorized, status 401', async () => {
    const error = await rejection(page.read('org/gated', 'config.json'));
    expect(faultOf(error)).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
  });

  it('a server error: kind server with its status, and Retry may help', async () => {
    await setFaults(server.url, [{ match: 'org/model/resolve/main/config.json', kind: 'status', status: 503, times: 1 }]);
    const error = await rejection(page.read('org/model', 'config.json'));
    expect(faultOf(error)).toMatchObject({ kind: 'server', status: 503, repo: 'org/model', file: 'config.json', retryable: true });
    expect(await page.read('org/model', 'config.json')).toBe('{}');
  });

  it("a load's failure: the kind from the Fault on its cause chain, the sentence from the outermost error", async () => {
    const error = await rejection(page.fail('load'));
    expect(faultOf(error)).toMatchObject({ kind: 'cut-off', repo: 'org/model', file: 'onnx/model.onnx', retryable: true });
    expect(error.message).toMatch(/^org\/model\/onnx\/model\.onnx: the download was cut off after 10 of 20 bytes.*The 2 files downloaded/);
  });

  it('an error with no Fault behind it keeps its words and has no fault', async () => {
    const error = await rejection(page.fail('plain'));
    expect(error.message).toBe('onnxruntime: something of its own');
    expect(faultOf(error)).toBeUndefined();
  });
});
