import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { BinaryReader } from '../shared/files';
import { manifestFor } from '../shared/pairId';
import { type DirectionState, type DirectionUpdate, directionV1, type PairInfo, type ReadyDirection } from '../shared/wire';
import { analyzeDataset } from './analyses';
import type { SpectrumFile, SpectrumStore } from './direction';
import { localModelReader } from './node';
import { EARLY_DIRECTION, LensSession } from './session';

/** An analysis's direction (wire.ts AppliedAnalysis) along `u1`, with a v₁ of its own. */
const analysisOf = (u1: number[]) => ({ u1, variation: [3, 1], shares: [0.6, 0.2], sampleSize: 60, origin: 'the 60 texts of a test' });

/** A load's direction once it is ready. */
function readyOf(info: PairInfo): ReadyDirection {
  if (info.direction.state !== 'ready') throw new Error(`the direction is ${info.direction.state}`);
  return info.direction;
}

// The random tiny pair (d = 32) in Node: enough to check what the session accepts as a direction.
describe('LensSession.setDirection refuses a direction from another pair, load or width', () => {
  it('names the cause and keeps the direction it had', async () => {
    const session = new LensSession(localModelReader());
    const first = await session.load('test-tiny', 'cpu');
    const second = await session.load('test-tiny', 'cpu');
    expect(second.loadId).not.toBe(first.loadId);
    const d = 32;
    const unit = analysisOf(Array.from({ length: d }, (_, i) => (i === 3 ? 1 : 0)));

    await session.align(1, 'a cat sat on the mat', 10, 2);
    const before = session.shift(1, 2, 10);

    expect(() => session.setDirection(unit, { pairId: 'demo', loadId: second.loadId })).toThrow(
      'This u₁ was computed on the pair "demo", not on the loaded pair "test-tiny": it is not applied.',
    );
    expect(() => session.setDirection(unit, { pairId: 'test-tiny', loadId: first.loadId })).toThrow(/earlier load of this pair/);
    expect(() => session.setDirection(analysisOf(new Array(160).fill(0.1)), { pairId: 'test-tiny', loadId: second.loadId })).toThrow(
      'This u₁ has 160 dimensions, but the loaded pair "test-tiny" has 32: it is not applied.',
    );
    // Nothing changed: the slider still moves along the pair's own u₁.
    expect(session.shift(1, 2, 10)).toEqual(before);

    // The matching direction is taken, and moves the base column differently.
    session.setDirection(unit, { pairId: 'test-tiny', loadId: second.loadId });
    expect(session.shift(1, 2, 10)?.scores).not.toEqual(before?.scores);
  });
});

describe('LensSession: a pair that ships no spectrum is shown first, its u₁ follows from its sample', () => {
  const withoutSpectrum = async () => ({ ...(await manifestFor('test-tiny', localModelReader())), spectrum: undefined });

  it('reports progress, then the same v_j as `lens spectrum` wrote for this sample', async () => {
    const session = new LensSession(localModelReader());
    const updates: DirectionUpdate[] = [];
    session.onDirection = (p) => updates.push(p);
    session.earlyDirection = 4; // of this pair's 8 sample texts (EARLY_DIRECTION = 20 of 200 in the app)
    const info = await session.loadManifest(await withoutSpectrum(), 'cpu');
    const stored = JSON.parse(readFileSync('models/test-tiny/spectrum.json', 'utf8'));
    expect(info.direction).toEqual({ state: 'estimating', done: 0, total: stored.sampleSize });
    const ready = readyOf(await session.withDirection());
    expect(ready).toMatchObject({ source: 'sample', sampleSize: stored.sampleSize });
    expect(ready).not.toHaveProperty('refining');
    for (const [j, v] of stored.variation.slice(0, 5).entries()) expect(ready.variation[j]).toBeCloseTo(v, 4);
    expect(updates.every((u) => u.loadId === info.loadId)).toBe(true);
    expect(updates.at(-1)?.direction).toEqual(ready);
    // While the slider waits, how far the sample is; then, with u₁, how far its refinement is.
    const waiting = updates.filter((u) => u.direction.state === 'estimating').map((u) => u.direction as { done: number; total: number });
    expect(waiting.every((w) => w.total === stored.sampleSize)).toBe(true);
    expect(waiting.map((w) => w.done)).toEqual([...waiting.map((w) => w.done)].sort((a, b) => a - b));
    // The slider could move after the first EARLY_DIRECTION texts: a spectrum of those came first.
    const newU1 = updates.filter((u) => u.newU1).map((u) => u.direction as ReadyDirection);
    expect(newU1.map((d) => [d.sampleSize, d.refining])).toEqual([
      [4, { done: 4, total: stored.sampleSize }],
      [stored.sampleSize, undefined],
    ]);
    expect(newU1[1].lastMoveDegrees).toBeGreaterThanOrEqual(0);
    expect(EARLY_DIRECTION).toBeLessThan(200);
    expect(Math.sign(newU1[0].variation[0])).toBe(Math.sign(ready.variation[0]));
  });

  it('a sample that fails while it refines keeps the u₁ it gave and stops saying it refines; one that fails before says why', async () => {
    /** A load whose model runs fail from the `failFrom`-th on; what the page was last told of its direction. */
    const failingFrom = async (failFrom: number) => {
      const session = new LensSession(localModelReader());
      const updates: DirectionUpdate[] = [];
      session.onDirection = (p) => updates.push(p);
      session.earlyDirection = 4;
      await session.loadManifest(await withoutSpectrum(), 'cpu');
      const runBody = session.loaded.runBody.bind(session.loaded);
      let runs = 0;
      vi.spyOn(session.loaded, 'runBody').mockImplementation((...args) => (++runs >= failFrom ? Promise.reject(new Error('device lost')) : runBody(...args)));
      await expect(session.withDirection()).rejects.toThrow("PC1 could not be estimated from the pair's sample: device lost");
      return updates.at(-1)?.direction;
    };
    // test-tiny's 8 texts, u₁ after 4: 4 base runs, then 4 embedder runs for v₁; the 9th run is the refinement's first.
    const refining = await failingFrom(9);
    expect(refining).toMatchObject({ state: 'ready', source: 'sample', sampleSize: 4 });
    expect(refining).not.toHaveProperty('refining');
    expect(await failingFrom(1)).toEqual({ state: 'failed', reason: "PC1 could not be estimated from the pair's sample: device lost" });
  });

  it('keeps a direction applied while the sample is being embedded', async () => {
    const session = new LensSession(localModelReader());
    const info = await session.loadManifest(await withoutSpectrum(), 'cpu');
    const unit = analysisOf(Array.from({ length: 32 }, (_, i) => (i === 5 ? 1 : 0)));
    session.setDirection(unit, { pairId: info.id, loadId: info.loadId });
    expect(readyOf(await session.withDirection())).toMatchObject({ source: 'analysis', variation: unit.variation });
    await session.align(1, 'a cat sat on the mat', 10, 1);
    expect(Array.from(session.currentStates!.u1)).toEqual(unit.u1);
  });
});

describe('LensSession: a pair’s sample spectrum is kept between visits', () => {
  const files = localModelReader();
  const withoutSpectrum = async () => ({ ...(await manifestFor('test-tiny', files)), spectrum: undefined });
  /** An in-memory SpectrumStore that counts what it is asked (the browser's is IndexedDB, the CLI's a folder). */
  const memoryStore = () => {
    const kept = new Map<string, SpectrumFile>();
    return {
      kept,
      puts: 0,
      get: async (key: string) => kept.get(key),
      async put(key: string, file: SpectrumFile) {
        this.puts++;
        kept.set(key, structuredClone(file));
      },
    };
  };
  /** A visit: a fresh session (a new page), reading the pair through `read`, with the store kept from before. */
  const visit = async (store: SpectrumStore, read = files) => {
    const session = new LensSession(read);
    session.spectrumStore = store;
    const updates: DirectionUpdate[] = [];
    session.onDirection = (p) => updates.push(p);
    const atLoad = (await session.loadManifest(await withoutSpectrum(), 'cpu')).direction;
    return { session, atLoad, updates, ready: readyOf(await session.withDirection()) };
  };

  it('the first visit embeds the sample and keeps its spectrum; the second has its slider at load, from the kept one', async () => {
    const store = memoryStore();
    const first = await visit(store);
    expect(first.atLoad.state).toBe('estimating');
    expect(store.puts).toBe(1);
    const [file] = store.kept.values();
    expect(file.more?.length).toBe(Math.min(20, first.ready.sampleSize) - 1); // u_2..u_k kept with u_1
    expect(file.about?.sample).toBeTruthy();

    const second = await visit(store);
    expect(second.atLoad).toMatchObject({ state: 'ready', source: 'sample', kept: true, variation: first.ready.variation, shares: first.ready.shares });
    expect(second.updates).toEqual([]); // nothing embedded
    await first.session.align(1, 'a cat sat on the mat', 10, 2);
    await second.session.align(1, 'a cat sat on the mat', 10, 2);
    expect(second.session.shift(1, 2, 10)).toEqual(first.session.shift(1, 2, 10));
  });

  it('a visit that ended before its sample did keeps the early spectrum: the next has its slider at once and refines it', async () => {
    const store = memoryStore();
    // The first visit ends once its early spectrum is kept (the page closed): the whole sample's never arrives.
    const closedEarly = { ...store, put: async (key: string, file: SpectrumFile) => void (file.sampleSize < 8 && store.kept.set(key, file)) };
    const session = new LensSession(files);
    session.spectrumStore = closedEarly;
    session.earlyDirection = 4;
    await session.loadManifest(await withoutSpectrum(), 'cpu');
    await session.withDirection();
    expect([...store.kept.values()].map((f) => f.sampleSize)).toEqual([4]);

    const next = await visit(store);
    expect(next.atLoad).toMatchObject({ state: 'ready', source: 'sample', kept: true, sampleSize: 4 });
    // It embeds the sample again and takes the whole sample's spectrum, not an early one of fewer texts than it had.
    expect(next.updates.filter((u) => u.newU1).map((u) => (u.direction as ReadyDirection).sampleSize)).toEqual([8]);
    expect(next.ready).toMatchObject({ sampleSize: 8 });
    expect(next.ready).not.toHaveProperty('kept');
    expect([...store.kept.values()].map((f) => f.sampleSize)).toEqual([8]);
  });

  it('a changed sample is embedded again, and its spectrum kept beside the old one', async () => {
    const store = memoryStore();
    await visit(store);
    const decoder = new TextDecoder();
    const changedSample: BinaryReader = async (path, onProgress) => {
      const bytes = await files(path, onProgress);
      if (!path.endsWith('sample.txt')) return bytes;
      const lines = decoder.decode(bytes).trim().split('\n');
      return new TextEncoder().encode([...lines.slice(1), lines[0]].join('\n')).buffer as ArrayBuffer;
    };
    const changed = await visit(store, changedSample);
    expect(changed.atLoad.state).toBe('estimating');
    expect(changed.ready.sampleSize).toBe(8);
    expect(store.kept.size).toBe(2);
  });

  it('an entry that does not describe this pair is not used', async () => {
    const store = memoryStore();
    await visit(store);
    const [[key, file]] = store.kept.entries();
    store.kept.set(key, { ...file, about: { ...file.about!, dtype: 'q8' } });
    const again = await visit(store);
    expect(again.atLoad.state).toBe('estimating');
  });
});

describe('LensSession on the demo pair: the slider, the λ curve and the Layers view read one v₁, whichever source gave it', () => {
  const text = 'A man is playing a guitar on the street.';
  const k = 10;
  let session: LensSession;
  let info: PairInfo;
  /** Each layer's λ at λ = v₁: a layer ℓ below the deepest moves by (λ / v₁)·v₁⁽ℓ⁾, so by its own v₁⁽ℓ⁾ whatever the slider's v₁ is. */
  let ownLayerV1: number[];
  beforeAll(async () => {
    session = new LensSession(localModelReader());
    info = await session.load('demo', 'cpu');
    await session.align(1, text, k, 0);
    ownLayerV1 = (await session.layers(1, text, k, directionV1(info.direction))).rows.slice(0, -1).map((row) => row.lambda);
  }, 120_000);

  /** The v₁ each view used, after the direction `shown` was taken. */
  const v1sUsed = async (shown: DirectionState) => {
    const v1 = directionV1(shown);
    const curve = session.curve(1, k, 2 * Math.abs(v1))!;
    const rows = (await session.layers(1, text, k, v1)).rows;
    return {
      shown: v1,
      held: directionV1((await session.withDirection()).direction),
      curve: curve.v1,
      curveColumnAtV1: curve.atV1.ids,
      slider: session.shift(1, v1, k)!.ids,
      deepestLayer: rows.at(-1)!.lambda,
      layerV1: rows.slice(0, -1).map((row) => row.lambda),
    };
  };
  const expectOneV1 = (used: Awaited<ReturnType<typeof v1sUsed>>) => {
    expect(used.held).toBe(used.shown);
    expect(used.curve).toBe(used.shown);
    expect(used.curveColumnAtV1).toEqual(used.slider);
    expect(used.deepestLayer).toBe(used.shown);
    for (const [l, lambda] of used.layerV1.entries()) expect(lambda).toBeCloseTo(ownLayerV1[l], 9);
  };

  it('after "Use this u₁ / v₁": the analysis’s v₁, not the sample’s', async () => {
    const texts = session.loaded.sample.slice(120, 180);
    const { report } = await analyzeDataset(session.loaded, texts, { k });
    expect(Math.abs(report.variation[0] - directionV1(info.direction))).toBeGreaterThan(0.1);
    const applied = session.setDirection(
      { u1: report.u1, variation: report.variation, shares: report.shares, sampleSize: report.n, origin: 'the 60 texts of the sample’s end' },
      { pairId: info.id, loadId: info.loadId },
    );
    expect(applied).toMatchObject({ state: 'ready', source: 'analysis', variation: report.variation, sampleSize: 60 });
    expectOneV1(await v1sUsed(applied));
  }, 120_000);

  it('after a spectrum file: the file’s v₁', async () => {
    const file = JSON.parse(readFileSync('models/demo/spectrum.json', 'utf8'));
    file.variation[0] *= 1.5;
    const opened = session.openSpectrum(JSON.stringify(file), 'scaled.json', { pairId: info.id, loadId: info.loadId });
    expect(opened).toMatchObject({ state: 'ready', source: 'file', origin: 'scaled.json', variation: file.variation });
    expectOneV1(await v1sUsed(opened));
  }, 60_000);
});
