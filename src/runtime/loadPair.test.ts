import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { testHubForThisFile } from '../../tools/hub/testHubForThisFile';
import { manifestFor } from '../shared/pairId';
import { loadPair, loadPolicy } from './loadPair';
import { allowHub, localModelReader } from './node';
import { resolveLoad } from './resolveLoad';

// The demo pair as shipped under models/, and the catalog's Qwen3 pair from stand-ins on a local server that
// answers as the Hub does (tools/hub/testRepos.ts: the real file names, external data that config.json does not declare).
const hub = testHubForThisFile();

const read = localModelReader();
/** Where transformers.js may look for a body's files, as the load left it. */
const sources = () => ({ local: env.allowLocalModels, remote: env.allowRemoteModels, remoteHost: env.remoteHost });

describe('loadPair', () => {
  it('a Hub pair and a shipped pair differ only where LoadPolicy says', async () => {
    const shipped = loadPolicy(await manifestFor('demo', read), 'wasm');
    const fromHub = loadPolicy(await manifestFor('qwen3-0.6b', read), 'wasm');
    expect(shipped).toEqual({
      localFiles: true,
      checkReposFirst: false,
      readBaseTokenizer: false,
      tokenizersFirst: false,
      headFirst: false,
      bodiesInTurn: false,
      graphOptimizationLevel: 'disabled',
      splitSingleFileBodies: false,
      weightsFromDiskCache: false,
    });
    expect(fromHub).toEqual({
      localFiles: false,
      checkReposFirst: true,
      readBaseTokenizer: true,
      tokenizersFirst: true,
      headFirst: true,
      bodiesInTurn: true,
      graphOptimizationLevel: 'all',
      splitSingleFileBodies: true,
      weightsFromDiskCache: true,
    });
    // Node's own graph optimizer is fast: a shipped pair is optimized on the CPU.
    expect(loadPolicy(await manifestFor('demo', read), 'cpu').graphOptimizationLevel).toBe('all');
  });

  it('a shipped pair without a plan: fp32 graphs with their weights inside, read from the model root alone', async () => {
    const pair = await loadPair(await manifestFor('demo', read), { device: 'cpu', read });
    try {
      expect(pair.dtype).toBe('fp32');
      expect(sources()).toMatchObject({ local: true, remote: false });
    } finally {
      await pair.dispose();
    }
  });

  it("a Hub pair: each body in its resolved variant with the external data chunks found, from the load's Hub alone", async () => {
    allowHub(hub.url, mkdtempSync(join(tmpdir(), 'lens-load-')));
    const resolved = await resolveLoad({ pairId: 'qwen3-0.6b', backend: 'cpu', hubUrl: hub.url }, { read });
    expect(resolved.plan.dtype).toBe('fp32');
    const asked = hub.log.length;
    const pair = await loadPair(resolved.manifest, { device: 'cpu', read, hub: resolved.hub, plan: resolved.plan });
    try {
      expect(pair.dtype).toBe('fp32');
      expect(sources()).toEqual({ local: false, remote: true, remoteHost: `${hub.url}/` });
      const downloaded = hub.log
        .slice(asked)
        .filter((l) => l.method === 'GET' && l.status === 200)
        .map((l) => l.path);
      // The embedder's config.json declares no external data: the chunk the plan found is fetched all the same.
      for (const repo of ['onnx-community/Qwen3-Embedding-0.6B-ONNX', 'onnx-community/Qwen3-0.6B-ONNX']) {
        expect(
          downloaded.some((path) => path.includes(repo) && path.endsWith('/onnx/model.onnx_data')),
          repo,
        ).toBe(true);
      }
      expect(downloaded.filter((path) => path.includes('model_quantized'))).toEqual([]);
    } finally {
      await pair.dispose();
    }
  });
});
