/**
 * A spectrum file round-trips through `lens spectrum` and the app (issue #24): the JSON the CLI writes, opened for
 * the loaded pair (runtime/session.ts openSpectrum, what the page's "Open a spectrum file…" asks the worker) or
 * named by a catalog entry of a Hub pair, gives the slider the CLI's direction; one of another pair is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { project } from '../src/core/lmHead';
import type { SpectrumFile, SpectrumStore } from '../src/runtime/direction';
import { sampleSpectrum } from '../src/runtime/direction';
import { HubClient } from '../src/runtime/hub';
import { allowHub, localModelReader } from '../src/runtime/node';
import { planPair } from '../src/runtime/plan';
import { LensSession } from '../src/runtime/session';
import type { CatalogEntry } from '../src/shared/catalog';
import type { BinaryReader } from '../src/shared/files';
import { catalogManifest, manifestFor } from '../src/shared/pairId';
import type { DirectionUpdate } from '../src/shared/wire';
import { type HubServer, startHubServer } from '../tools/hub/hubServer';
import { buildTestHub } from '../tools/hub/testRepos';
import { runLens } from '../tools/runCommand';

const scratch = mkdtempSync(join(tmpdir(), 'lens-spectrum-file-'));
const lens = (args: string[]) => runLens(args);
const TEXT = 'A man is playing a guitar.';
const files = localModelReader();

const memoryStore = (): SpectrumStore & { kept: Map<string, SpectrumFile> } => {
  const kept = new Map<string, SpectrumFile>();
  return { kept, get: async (key) => kept.get(key), put: async (key, file) => void kept.set(key, structuredClone(file)) };
};

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

describe('lens spectrum → a spectrum file opened for the loaded pair', () => {
  const out = join(scratch, 'test-tiny.json');
  let written: SpectrumFile;
  let text: string;
  beforeAll(async () => {
    const run = await lens(['spectrum', '--pair', 'test-tiny', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    text = readFileSync(out, 'utf8');
    written = JSON.parse(text);
  }, 120_000);

  /** test-tiny as a pair that ships no spectrum (a Hub pair's situation): its sample is embedded after load. */
  const load = async (store: SpectrumStore) => {
    const session = new LensSession(files);
    session.spectrumStore = store;
    const updates: DirectionUpdate[] = [];
    session.onDirection = (p) => updates.push(p);
    const info = await session.loadManifest({ ...(await manifestFor('test-tiny', files)), spectrum: undefined }, 'cpu');
    return { session, info, updates };
  };

  it('gives the direction the CLI computed: u₁ bitwise, W·u₁ and v_j; the slider is ready at once and the next visit starts with it', async () => {
    const store = memoryStore();
    const { session, info } = await load(store);
    expect(info.direction.state).toBe('estimating');
    const opened = session.openSpectrum(text, 'test-tiny.json', { pairId: info.id, loadId: info.loadId });
    // Computed by the CLI on the CPU in fp32, and read here on the CPU in fp32: nothing to say.
    expect(opened).toEqual({
      state: 'ready',
      source: 'file',
      origin: 'test-tiny.json',
      variation: written.variation,
      shares: written.shares,
      sampleSize: written.sampleSize,
    });
    await session.withDirection(); // the sample's estimate stopped: the file's spectrum is the one kept
    await session.align(1, TEXT, 10, 0);
    const u1 = session.currentStates!.u1;
    expect(Array.from(u1)).toEqual(written.u1);
    // The same spectrum computed here, in this process, as `lens spectrum` computes it.
    const own = await sampleSpectrum(session.loaded, 20);
    expect(cosine(own.vectors[0], u1)).toBeGreaterThan(1 - 1e-9);
    for (const [j, v] of own.variation.entries()) expect(Math.abs(written.variation[j] - v)).toBeLessThan(1e-9 * Math.max(1, Math.abs(v)));
    // W·u₁: the base column at λ is z0 + λ·W·u₁ of the file's u₁.
    const head = session.loaded.head;
    const zu = project(head, Float64Array.from(written.u1));
    const shifted = session.shift(1, 3, 10)!;
    const z0 = (await session.align(2, TEXT, head.rows, 0)).base;
    const expected = new Map(z0.ids.map((id, i) => [id, z0.scores[i] + 3 * zu[id]]));
    for (const [i, id] of shifted.ids.entries()) expect(shifted.scores[i]).toBeCloseTo(expected.get(id)!, 4);

    // Kept like a sample's spectrum: the next visit has the file's direction at load, and embeds nothing.
    const next = await load(store);
    expect(next.info.direction).toMatchObject({ state: 'ready', source: 'file', kept: true, origin: 'test-tiny.json', variation: written.variation });
    await next.session.withDirection();
    expect(next.updates).toEqual([]);
    await next.session.align(1, TEXT, 10, 0);
    expect(Array.from(next.session.currentStates!.u1)).toEqual(written.u1);
  }, 120_000);

  it('refuses a spectrum of another pair or width with one message, and keeps the direction it had', async () => {
    const { session, info } = await load(memoryStore());
    const on = { pairId: info.id, loadId: info.loadId };
    session.openSpectrum(text, 'test-tiny.json', on);
    await session.align(1, TEXT, 10, 2);
    const before = session.shift(1, 2, 10);
    const other = JSON.stringify({ ...written, about: { ...written.about, embed: 'demo/embed', base: 'demo/base' } });
    expect(() => session.openSpectrum(other, 'demo.json', on)).toThrow(
      'demo.json is not applied (the slider keeps its direction): it was computed on demo/embed with demo/base, not on the loaded pair "test-tiny" (test-tiny/embed with test-tiny/base).',
    );
    const demo = readFileSync('models/demo/spectrum.json', 'utf8'); // the demo pair's (d = 160), written before `about` existed
    expect(() => session.openSpectrum(demo, 'spectrum.json', on)).toThrow(
      /its u₁ has 160 dimensions, but the base model of the loaded pair "test-tiny" has 32/,
    );
    expect(() => session.openSpectrum('<!doctype html><title>x</title>', 'page.html', on)).toThrow(/page.html is not a spectrum file .*an HTML page/);
    expect(() => session.openSpectrum(text, 'late.json', { ...on, loadId: 'another' })).toThrow(/earlier load of this pair/);
    expect(session.shift(1, 2, 10)).toEqual(before);
    expect(Array.from(session.currentStates!.u1)).toEqual(written.u1);
    // Another dtype: taken, with a notice.
    const q8 = JSON.stringify({ ...written, about: { ...written.about, dtype: 'q8' } });
    expect(session.openSpectrum(q8, 'q8.json', on).notice).toBe(
      "q8.json: it was computed in q8 on cpu, and the pair runs fp32 on cpu: its u₁ may differ slightly from this run's own.",
    );
  }, 120_000);
});

describe('a catalog entry of a Hub pair may name its spectrum (stand-in Hub)', () => {
  let hub: HubServer;
  let files404: Server;
  let filesUrl: string;
  const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
  const spec = { embed: 'hubtest/demo-embed', base: 'hubtest/demo-base', pooling: DEMO_POOLING };
  const out = join(scratch, 'demo-hub.json');
  const cacheDir = join(scratch, 'cache');
  let written: SpectrumFile;

  beforeAll(async () => {
    hub = await startHubServer({ roots: [buildTestHub()] });
    const run = await lens([
      'spectrum',
      '--embed',
      spec.embed,
      '--base',
      spec.base,
      '--pooling',
      spec.pooling,
      '--hub-url',
      hub.url,
      '--cache-dir',
      cacheDir,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    written = JSON.parse(readFileSync(out, 'utf8'));
    writeFileSync(join(scratch, 'tiny.json'), readFileSync(join(scratch, 'test-tiny.json')));
    // A plain web server for the URL form: the file, and 404 for anything else.
    files404 = createServer((req, res) => {
      if (req.url === '/spectra/demo-hub.json') res.writeHead(200, { 'Content-Type': 'application/json' }).end(readFileSync(out));
      else res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => files404.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files404.address() as { port: number }).port}`;
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
    files404?.close();
  });

  /** Loads a catalog entry as the app does (its manifest, plan and session), `spectra/<name>` served from the scratch folder. */
  const loadEntry = async (entry: CatalogEntry) => {
    allowHub(hub.url, cacheDir);
    const read: BinaryReader = (path, onProgress) =>
      path.startsWith('spectra/') ? Promise.resolve(new Uint8Array(readFileSync(join(scratch, path.slice(8)))).buffer) : files(path, onProgress);
    const client = new HubClient({ baseUrl: hub.url });
    const manifest = await catalogManifest(entry, read);
    const session = new LensSession(read, client);
    session.spectrumStore = memoryStore();
    const updates: DirectionUpdate[] = [];
    session.onDirection = (p) => updates.push(p);
    const info = await session.loadManifest(manifest, 'cpu', undefined, await planPair(manifest, client, { device: 'cpu' }));
    return { info, updates };
  };

  it('loads it instead of estimating (source shipped), from a path under the model root or a URL', async () => {
    for (const spectrum of ['spectra/demo-hub.json', `${filesUrl}/spectra/demo-hub.json`]) {
      const { info, updates } = await loadEntry({ id: 'demo-hub', label: 'Demo from the stand-in Hub', hub: spec, spectrum });
      expect(info.direction, spectrum).toMatchObject({ state: 'ready', source: 'shipped', variation: written.variation, shares: written.shares });
      expect(updates).toEqual([]);
    }
    // Without one, the Hub pair embeds its sample after loading, as before.
    expect((await loadEntry({ id: 'demo-hub', label: 'Demo from the stand-in Hub', hub: spec })).info.direction.state).toBe('estimating');
  }, 180_000);

  it('a catalog spectrum of another pair, or one not there, fails the load naming it', async () => {
    await expect(loadEntry({ id: 'demo-hub', label: 'x', hub: spec, spectrum: 'spectra/tiny.json' })).rejects.toThrow(
      'spectra/tiny.json was computed on test-tiny/embed with test-tiny/base, not on hubtest/demo-embed with hubtest/demo-base.',
    );
    await expect(loadEntry({ id: 'demo-hub', label: 'x', hub: spec, spectrum: `${filesUrl}/spectra/missing.json` })).rejects.toThrow(
      `The spectrum file ${filesUrl}/spectra/missing.json could not be fetched: the server answered 404 Not Found.`,
    );
  }, 180_000);
});
