/**
 * The fault matrix (docs/faults.md): every file a Hub pair loads × every fault a Hub or its CDN may answer with.
 * Each cell ends one of two ways: the pair loads with the right tokens, or one message naming the repo, the
 * file and the cause in words, with the previous pair still loaded, no broken file in the cache folder, and
 * the next load working once the server is healthy. The CLI's own runtime in one process (resolvePair, the
 * session `lens align` uses), so the whole matrix runs in well under two minutes.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpectrumFile } from '../src/runtime/direction';
import { localModelReader } from '../src/runtime/node';
import { LensSession } from '../src/runtime/session';
import { type Fault, type HubServer, setFaults, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub } from '../tools/hub/testRepos';
import { resolvePair } from './pair';

// A short stall (resilientFetch.ts fetchDefaults; the backoff is short for every test, vite.config.ts): a stalled
// download takes a second here, not 30 s.
process.env.LENS_FETCH_STALL_MS = '300';
const SERVER_STALL_MS = 2_000;

const root = buildTestHub();
const TEXT = 'A man is playing a guitar.';
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO = { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING };
const QWEN3 = { pair: 'qwen3-0.6b' };

/** What no message a user reads may contain: a JavaScript error's words instead of a sentence. */
const RAW_ERROR = /Cannot read properties|undefined|Unexpected token|is not a function|\n\s+at |\[object /;

let hub: HubServer;
const session = new LensSession(localModelReader());
// The CLI keeps a Hub pair's sample spectrum between runs (node.ts cachedSpectra); here in memory, so that only
// the first loads of a pair embed its PC1 sample in the background, not every cell's.
const spectra = new Map<string, SpectrumFile>();
session.spectrumStore = { get: async (key) => spectra.get(key), put: async (key, file) => void spectra.set(key, file) };
const reference = new Map<string, number[]>();
const PAIRS = { DEMO, QWEN3 };

/** The tokens of a healthy load of the pair (loaded once; the session then holds that pair). */
async function referenceOf(pair: keyof typeof PAIRS): Promise<number[]> {
  if (!reference.has(pair)) {
    await load(PAIRS[pair], freshCache());
    reference.set(pair, await ids());
  }
  return reference.get(pair)!;
}

beforeAll(async () => {
  hub = await startHubServer({ roots: [root] });
  // The previous pair: the demo pair from models/, which every failed cell must leave loaded and working.
  const demo = await resolvePair({ pair: 'demo' });
  session.hub = demo.hub;
  await session.loadManifest(demo.manifest, 'cpu', undefined, demo.plan);
  const local = await ids();
  // The Hub pair gives the same tokens as the same models from models/.
  expect(await referenceOf('DEMO')).toEqual(local);
}, 60_000);
afterAll(() => hub?.close());

const freshCache = () => mkdtempSync(join(tmpdir(), 'lens-matrix-'));
async function ids(): Promise<number[]> {
  const r = await session.align(1, TEXT, 10, 0);
  return [...r.embed.tokens.map((t) => t.id), ...r.base.tokens.map((t) => t.id)];
}

/** One load, as `lens align` does it: the pair resolved (its variants probed on the Hub), then loaded into the session. */
async function load(pair: Record<string, string>, cacheDir: string): Promise<void> {
  const resolved = await resolvePair({ ...pair, 'hub-url': hub.url, 'cache-dir': cacheDir });
  session.hub = resolved.hub;
  session.downloads = resolved.downloads;
  await session.loadManifest(resolved.manifest, 'cpu', undefined, resolved.plan);
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));

/**
 * Every file in the cache folder is the Hub's file, whole (a graph may carry the outputs hiddenStateFetch
 * appends). Downloads of the other files of a load that failed may still be streaming into their temporary
 * files (transformers.js writes `<file>.tmp.*`, renamed when whole, removed when the body fails): waited for.
 */
async function expectSoundCache(cacheDir: string): Promise<void> {
  for (let waited = 0; walk(cacheDir).some((path) => path.includes('.tmp.')) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  for (const path of walk(cacheDir)) {
    const file = relative(cacheDir, path);
    if (file.startsWith('embedding-lens-spectra')) continue;
    const original = readFileSync(join(root, file));
    const cached = readFileSync(path);
    expect(cached.length >= original.length && original.equals(cached.subarray(0, original.length)), `${file} cached whole`).toBe(true);
  }
}

interface Target {
  /** Which pair loads it. */
  pair: 'DEMO' | 'QWEN3';
  /** The request path it is matched by, and how a message names the file. */
  match: string;
  file: string;
  repo: string;
  method: 'GET' | 'HEAD';
  /** Range reads that start within [first, last] (W's, or the safetensors header's). */
  range?: [number, number];
  /** The faults this target gets (default: all of its method's). */
  faults?: string[];
}

/** The safetensors header's length: W's Range read starts right after it. */
const demoHeaderEnd = 8 + Number(readFileSync(join(root, 'hubtest/demo-base/model.safetensors')).readBigUInt64LE(0));

const DEMO_W_END = statSync(join(root, 'hubtest/demo-base/model.safetensors')).size;

const TARGETS: Target[] = [
  // First: transformers.js sizes generation_config.json once per process (its probe is memoized), and goes on
  // whatever it is answered; the pair never downloads it.
  {
    pair: 'QWEN3',
    method: 'GET',
    repo: 'onnx-community/Qwen3-0.6B-ONNX',
    file: 'generation_config.json',
    match: 'Qwen3-0.6B-ONNX/resolve/main/generation_config.json',
    faults: ['503 ×4'],
  },
  { pair: 'DEMO', method: 'GET', repo: 'hubtest/demo-base', file: 'config.json', match: 'demo-base/resolve/main/config.json' },
  { pair: 'DEMO', method: 'GET', repo: 'hubtest/demo-embed', file: 'tokenizer.json', match: 'demo-embed/resolve/main/tokenizer.json' },
  { pair: 'DEMO', method: 'GET', repo: 'hubtest/demo-base', file: 'tokenizer_config.json', match: 'demo-base/resolve/main/tokenizer_config.json' },
  { pair: 'DEMO', method: 'GET', repo: 'hubtest/demo-embed', file: 'onnx/model.onnx', match: 'demo-embed/onnx/model.onnx' },
  {
    pair: 'DEMO',
    method: 'GET',
    repo: 'hubtest/demo-base',
    file: 'model.safetensors',
    match: 'demo-base/model.safetensors',
    range: [8, demoHeaderEnd - 1],
  },
  {
    pair: 'DEMO',
    method: 'GET',
    repo: 'hubtest/demo-base',
    file: 'model.safetensors',
    match: 'demo-base/model.safetensors',
    range: [demoHeaderEnd, DEMO_W_END],
  },
  { pair: 'DEMO', method: 'HEAD', repo: 'hubtest/demo-embed', file: 'tokenizer_config.json', match: 'demo-embed/resolve/main/tokenizer_config.json' },
  { pair: 'DEMO', method: 'HEAD', repo: 'hubtest/demo-base', file: 'onnx/model.onnx', match: 'demo-base/resolve/main/onnx/model.onnx' },
  { pair: 'DEMO', method: 'HEAD', repo: 'hubtest/demo-base', file: 'model.safetensors', match: 'demo-base/resolve/main/model.safetensors' },
  // External data (the Qwen3 embedder's, which its config does not declare).
  {
    pair: 'QWEN3',
    method: 'GET',
    repo: 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
    file: 'onnx/model.onnx_data',
    match: 'Qwen3-Embedding-0.6B-ONNX/onnx/model.onnx_data',
    faults: ['503 ×4', 'truncate', 'stall', '404 EntryNotFound'],
  },
];

type Spec = Fault extends infer F ? (F extends Fault ? Omit<F, 'match' | 'method' | 'range'> : never) : never;
/** Each fault, and the words a message must have when the load cannot go on (undefined: it must load). */
const FAULTS: Record<string, { spec: Spec; methods: ('GET' | 'HEAD')[]; cause?: RegExp }> = {
  '503 once': { spec: { kind: 'status', status: 503, times: 1 }, methods: ['GET', 'HEAD'] },
  '503 ×4': { spec: { kind: 'status', status: 503, times: 4 }, methods: ['GET', 'HEAD'], cause: /answered 503.* 4 times \(retried with backoff\)/ },
  '429 Retry-After once': { spec: { kind: 'status', status: 429, retryAfter: 1, times: 1 }, methods: ['GET'] },
  '429 Retry-After ×4': { spec: { kind: 'status', status: 429, retryAfter: 0, times: 4 }, methods: ['GET'], cause: /answered 429.* 4 times/ },
  reset: { spec: { kind: 'reset', times: 1 }, methods: ['GET', 'HEAD'] },
  truncate: { spec: { kind: 'truncate', times: 1 }, methods: ['GET'] },
  stall: { spec: { kind: 'stall', stallMs: SERVER_STALL_MS, times: 1 }, methods: ['GET'] },
  'stall ×4': {
    spec: { kind: 'stall', stallMs: SERVER_STALL_MS, times: 4 },
    methods: ['GET'],
    cause: /stalled: nothing arrived for 0\.3 s after [\d,]+ of [\d,]+ bytes/,
  },
  html: { spec: { kind: 'html', times: 1 }, methods: ['GET'] },
  '404 EntryNotFound': {
    spec: { kind: 'status', status: 404, errorCode: 'EntryNotFound', times: 1 },
    methods: ['GET', 'HEAD'],
    cause: /no such file \(404 EntryNotFound\)|has no |not found/,
  },
  '418 (a status nothing expects)': { spec: { kind: 'status', status: 418, times: 1 }, methods: ['GET', 'HEAD'], cause: /answered 418/ },
  '401 RepoNotFound': {
    spec: { kind: 'status', status: 401, errorCode: 'RepoNotFound', times: 1 },
    methods: ['GET', 'HEAD'],
    cause: /no such repository on the Hub, or it is private \(401 RepoNotFound, asked for .*\)\. Check the id\./,
  },
  '401 GatedRepo': {
    spec: { kind: 'status', status: 401, errorCode: 'GatedRepo', times: 1 },
    methods: ['GET', 'HEAD'],
    cause: /is gated \(401 GatedRepo, asked for .*\): accept its licence on the Hub and sign in/,
  },
  '403 GatedRepo': {
    spec: { kind: 'status', status: 403, errorCode: 'GatedRepo', times: 1 },
    methods: ['GET', 'HEAD'],
    cause: /is gated \(403 GatedRepo, asked for .*\): accept its licence on the Hub and sign in/,
  },
};

/** A file transformers.js only sizes (for its progress) and never needs: whatever it is answered, the pair loads. */
const OPTIONAL = new Set(['generation_config.json']);

const cells = TARGETS.flatMap((target) =>
  Object.entries(FAULTS)
    .filter(([name, fault]) => fault.methods.includes(target.method) && (!target.faults || target.faults.includes(name)))
    .map(([name, fault]) => ({ target, name, fault })),
);

describe('faults on every file at once', () => {
  it('503 once on the first HEAD and the first GET of every file of both repos: the pair loads', async () => {
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'model.safetensors'];
    const faults = [DEMO.embed, DEMO.base].flatMap((repo) =>
      files.flatMap((file) =>
        (['HEAD', 'GET'] as const).map((method): Fault => ({ match: `${repo}/resolve/main/${file}`, method, kind: 'status', status: 503, times: 1 })),
      ),
    );
    await setFaults(hub.url, faults);
    await load(DEMO, freshCache());
    expect(await ids()).toEqual(await referenceOf('DEMO'));
    expect(hub.faults.filter((f) => f.times === 0).length).toBeGreaterThan(faults.length / 2);
    await setFaults(hub.url, []);
  }, 30_000);
});

describe(`fault matrix: ${cells.length} cells, each loads or fails in one clear line and heals`, () => {
  for (const { target, name, fault } of cells) {
    const cause = OPTIONAL.has(target.file) ? undefined : fault.cause;
    const part = target.range ? (target.range[0] === 8 ? ' (header)' : ' (W)') : '';
    it(`${target.method} ${target.repo}/${target.file}${part} × ${name}: ${cause ? 'one message' : 'loads'}`, async () => {
      const cacheDir = freshCache();
      const injected = { ...fault.spec, match: target.match, method: target.method, range: target.range } as Fault;
      await setFaults(hub.url, [injected]);
      const before = await ids();
      let failure: Error | undefined;
      try {
        await load(PAIRS[target.pair], cacheDir);
      } catch (error) {
        failure = error as Error;
      }
      // The cell is void unless the fault was met.
      expect(hub.faults[0].times, 'the fault was met').toBeLessThan(fault.spec.times);
      await setFaults(hub.url, []);
      if (!cause) {
        expect(failure?.message).toBeUndefined();
        const loaded = await ids();
        expect(loaded).toEqual(await referenceOf(target.pair));
        await expectSoundCache(cacheDir);
        return;
      }
      expect(failure, 'the load fails').toBeDefined();
      const message = failure!.message;
      expect(message).not.toMatch(RAW_ERROR);
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toContain(target.repo);
      expect(message).toContain(target.file.split('/').pop());
      expect(message).toMatch(cause);
      // The previous pair is still loaded and answers as before; nothing broken was kept.
      expect(await ids()).toEqual(before);
      await expectSoundCache(cacheDir);
      // The server is healthy again: the same load works, from what the cache kept plus fresh downloads.
      await load(PAIRS[target.pair], cacheDir);
      expect(await ids()).toEqual(await referenceOf(target.pair));
      await expectSoundCache(cacheDir);
    }, 90_000); // a Qwen3 cell loads the real-vocabulary stand-ins up to twice: room for another test file beside it
  }
});
