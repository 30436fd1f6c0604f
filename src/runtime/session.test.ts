import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BinaryReader } from '../shared/files';
import { manifestFor } from '../shared/pairId';
import type { DirectionProgress } from '../shared/wire';
import type { SpectrumFile, SpectrumStore } from './direction';
import { localModelReader } from './node';
import { EARLY_DIRECTION, LensSession } from './session';

// The random tiny pair (d = 32) in Node: enough to check what the session accepts as a direction.
describe('LensSession.setDirection refuses a direction from another pair, load or width', () => {
  it('names the cause and keeps the direction it had', async () => {
    const session = new LensSession(localModelReader());
    const first = await session.load('test-tiny', 'cpu');
    const second = await session.load('test-tiny', 'cpu');
    expect(second.loadId).not.toBe(first.loadId);
    const d = 32;
    const unit = Array.from({ length: d }, (_, i) => (i === 3 ? 1 : 0));

    await session.align(1, 'a cat sat on the mat', 10, 2);
    const before = session.shift(1, 2, 10);

    expect(() => session.setDirection(unit, { pairId: 'demo', loadId: second.loadId })).toThrow(
      'This u₁ was computed on the pair "demo", not on the loaded pair "test-tiny": it is not applied.',
    );
    expect(() => session.setDirection(unit, { pairId: 'test-tiny', loadId: first.loadId })).toThrow(/earlier load of this pair/);
    expect(() => session.setDirection(new Array(160).fill(0.1), { pairId: 'test-tiny', loadId: second.loadId })).toThrow(
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
    const progress: DirectionProgress[] = [];
    session.onDirection = (p) => progress.push(p);
    session.earlyDirection = 4; // of this pair's 8 sample texts (EARLY_DIRECTION = 20 of 200 in the app)
    const info = await session.loadManifest(await withoutSpectrum(), 'cpu');
    expect(info.direction).toBe('estimating');
    expect(info.variation).toEqual([]);
    const ready = await session.withDirection();
    expect(ready.direction).toBe('ready');
    const stored = JSON.parse(readFileSync('models/test-tiny/spectrum.json', 'utf8'));
    expect(ready.sampleSize).toBe(stored.sampleSize);
    for (const [j, v] of stored.variation.slice(0, 5).entries()) expect(ready.variation[j]).toBeCloseTo(v, 4);
    const done = progress.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.every((p) => p.loadId === info.loadId && p.total === stored.sampleSize)).toBe(true);
    expect(progress.at(-1)?.spectrum?.variation).toEqual(ready.variation);
    expect(progress.at(-1)?.final).toBe(true);
    // The slider could move after the first EARLY_DIRECTION texts: a spectrum of those came first.
    const early = progress.filter((p) => p.spectrum && !p.final);
    expect(early.map((p) => p.spectrum?.sampleSize)).toEqual([4]);
    expect(EARLY_DIRECTION).toBeLessThan(200);
    expect(Math.sign(early[0].spectrum!.variation[0])).toBe(Math.sign(ready.variation[0]));
  });

  it('keeps a direction applied while the sample is being embedded', async () => {
    const session = new LensSession(localModelReader());
    const info = await session.loadManifest(await withoutSpectrum(), 'cpu');
    const unit = Array.from({ length: 32 }, (_, i) => (i === 5 ? 1 : 0));
    session.setDirection(unit, { pairId: info.id, loadId: info.loadId });
    await session.withDirection();
    await session.align(1, 'a cat sat on the mat', 10, 1);
    expect(Array.from(session.currentStates!.u1)).toEqual(unit);
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
    const progress: DirectionProgress[] = [];
    session.onDirection = (p) => progress.push(p);
    const atLoad = await session.loadManifest(await withoutSpectrum(), 'cpu');
    return { session, atLoad, progress, ready: await session.withDirection() };
  };

  it('the first visit embeds the sample and keeps its spectrum; the second has its slider at load, from the kept one', async () => {
    const store = memoryStore();
    const first = await visit(store);
    expect(first.atLoad.direction).toBe('estimating');
    expect(store.puts).toBe(1);
    const [file] = store.kept.values();
    expect(file.more?.length).toBe(Math.min(20, first.ready.sampleSize) - 1); // u_2..u_k kept with u_1
    expect(file.about?.sample).toBeTruthy();

    const second = await visit(store);
    expect(second.atLoad.direction).toBe('ready');
    expect(second.atLoad.directionSource).toBe('kept');
    expect(second.progress).toEqual([]); // nothing embedded
    expect(second.atLoad.variation).toEqual(first.ready.variation);
    expect(second.atLoad.shares).toEqual(first.ready.shares);
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
    expect(next.atLoad.direction).toBe('ready');
    expect(next.atLoad.directionSource).toBe('kept');
    expect(next.atLoad.sampleSize).toBe(4);
    // It embeds the sample again and takes the whole sample's spectrum, not an early one of fewer texts than it had.
    expect(next.progress.filter((p) => p.spectrum).map((p) => p.spectrum?.sampleSize)).toEqual([8]);
    expect(next.ready.sampleSize).toBe(8);
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
    expect(changed.atLoad.direction).toBe('estimating');
    expect(changed.progress.at(-1)?.final).toBe(true);
    expect(store.kept.size).toBe(2);
  });

  it('an entry that does not describe this pair is not used', async () => {
    const store = memoryStore();
    await visit(store);
    const [[key, file]] = store.kept.entries();
    store.kept.set(key, { ...file, about: { ...file.about!, dtype: 'q8' } });
    const again = await visit(store);
    expect(again.atLoad.direction).toBe('estimating');
  });
});
