import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlignResult, DirectionProgress, FileProgress, LoadEstimate, PairInfo } from '../worker/protocol';

/** A worker stand-in: each test says what load() and estimate() answer. */
const worker = vi.hoisted(() => ({
  load: async (_pair: string, _backend: string, _onProgress: unknown): Promise<unknown> => undefined,
  estimate: async (): Promise<unknown> => undefined,
  direction: undefined as ((progress: unknown) => void) | undefined,
  shifts: [] as { lambda: number; reply: (view: unknown) => void }[],
  openSpectrum: async (_source: unknown, _computedOn: unknown): Promise<unknown> => undefined,
}));

vi.mock('./lensClient', () => ({
  lensClient: () => ({
    load: (pair: string, backend: string, onProgress: unknown) => worker.load(pair, backend, onProgress),
    estimate: () => worker.estimate(),
    plannedFiles: async () => ({ files: [], complete: false }),
    onDirection: async (callback: (progress: unknown) => void) => {
      worker.direction = callback;
    },
    onDeviceLost: async () => {},
    onSteps: async () => {},
    align: async (requestId: number, text: string, k: number, lambda: number) =>
      ({ requestId, text, k, lambda, tokens: [], embed: { tokens: [], scores: [] }, base: { tokens: [], scores: [] } }) as unknown as AlignResult,
    shift: (_requestId: number, lambda: number) => new Promise((reply) => worker.shifts.push({ lambda, reply })),
    setDirection: async () => {},
    openSpectrum: (source: unknown, computedOn: unknown) => worker.openSpectrum(source, computedOn),
  }),
  restartLensClient: () => {},
  onWorkerStart: () => {},
  proxyCallback: <T>(callback: T) => callback,
  messageOf: (error: unknown) => (error instanceof Error ? error.message : String(error)),
}));

// The store keeps the URL in step with the view (a timer after each change).
vi.stubGlobal('location', { search: '', pathname: '/', hash: '' });
vi.stubGlobal('history', { replaceState: () => {} });
const { directionAfter, useLens } = await import('./store');

let loads = 0;
const pairInfo = (id: string, spectrum: boolean): PairInfo =>
  ({
    id,
    loadId: `${id}-${++loads}`,
    name: id,
    variation: spectrum ? [2.5, 0.3] : [],
    shares: spectrum ? [0.9, 0.05] : [],
    sampleSize: spectrum ? 200 : 0,
    direction: spectrum ? 'ready' : 'estimating',
  }) as unknown as PairInfo;

const spectrum = { variation: [1.5, 0.2], shares: [0.8, 0.1], sampleSize: 50 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  useLens.setState({
    load: { phase: 'idle' },
    pairInfo: undefined,
    direction: { phase: 'none' },
    error: undefined,
    result: undefined,
    backend: 'auto',
    lambda: 0,
  });
  worker.shifts = [];
});

describe('the lens store: load phase and direction', () => {
  it('a pair that ships its spectrum is ready with the shipped u₁; file progress shows only while it loads', async () => {
    let seenWhileLoading: unknown;
    worker.load = async (_pair, _backend, onProgress) => {
      (onProgress as (p: FileProgress) => void)({ file: 'w.bin', loaded: 5, total: 10 } as FileProgress);
      seenWhileLoading = useLens.getState().load;
      return pairInfo('demo', true);
    };
    await useLens.getState().loadPair('demo');
    expect(seenWhileLoading).toMatchObject({ phase: 'loading', files: { 'w.bin': { loaded: 5 } } });
    const state = useLens.getState();
    expect(state.load).toEqual({ phase: 'ready' });
    expect(state.direction).toEqual({ phase: 'ready', source: 'shipped', label: '200 sample sentences', variation: [2.5, 0.3], shares: [0.9, 0.05] });
  });

  it('a pair that embeds its sample: a report heard before load() returns is applied once the pair is held', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => {
      worker.direction?.({ loadId: info.loadId, done: 10, total: 200 } satisfies DirectionProgress);
      return info;
    };
    await useLens.getState().loadPair('demo');
    expect(useLens.getState().direction).toEqual({ phase: 'estimating', done: 10, total: 200 });

    worker.direction?.({ loadId: info.loadId, done: 50, total: 200, spectrum, final: false });
    expect(useLens.getState().direction).toMatchObject({ phase: 'ready', source: 'sample', label: '50 sample sentences', refining: { done: 50, total: 200 } });
    worker.direction?.({ loadId: info.loadId, done: 200, total: 200, spectrum: { ...spectrum, sampleSize: 200 }, final: true });
    expect(useLens.getState().direction).toEqual({
      phase: 'ready',
      source: 'sample',
      label: '200 sample sentences',
      variation: [1.5, 0.2],
      shares: [0.8, 0.1],
      refining: undefined,
    });
  });

  it('a report on another load is ignored; a failed sample says why', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    worker.direction?.({ loadId: 'another', done: 0, total: 200, error: 'elsewhere' });
    expect(useLens.getState().direction).toEqual({ phase: 'estimating', done: 0, total: 0 });
    worker.direction?.({ loadId: info.loadId, done: 0, total: 200, error: 'PC1 could not be estimated' });
    expect(useLens.getState().direction).toEqual({ phase: 'failed', error: 'PC1 could not be estimated' });
  });

  it('an applied u₁ is kept when the sample finishes later', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    await useLens.getState().applyDirection([1], [3, 1], [0.7, 0.2], 'the 60 texts of STS-B test', { pairId: info.id, loadId: info.loadId });
    worker.direction?.({ loadId: info.loadId, done: 50, total: 200, spectrum, final: false });
    expect(useLens.getState().direction).toMatchObject({
      phase: 'ready',
      source: 'analysis',
      label: 'the 60 texts of STS-B test',
      variation: [3, 1],
      refining: { done: 50, total: 200 },
    });
  });

  it('a failed load falls back to the pair showing, with its direction; without one the phase is error', async () => {
    worker.load = async () => pairInfo('demo', true);
    await useLens.getState().loadPair('demo');
    const before = useLens.getState();
    worker.load = async () => {
      throw new Error('no such pair');
    };
    await useLens.getState().loadPair('other');
    let state = useLens.getState();
    expect(state).toMatchObject({ load: { phase: 'ready' }, pair: 'demo', error: 'no such pair' });
    expect(state.pairInfo).toBe(before.pairInfo);
    expect(state.direction).toBe(before.direction);

    useLens.setState({ load: { phase: 'idle' } });
    await useLens.getState().loadPair('other');
    state = useLens.getState();
    expect(state.load).toEqual({ phase: 'error', reason: 'no such pair' });
    expect(state.error).toBe('no such pair');
  });

  it('a Hub pair that may not fit asks first, with its size and the pair to return to; Cancel returns to it', async () => {
    worker.load = async () => pairInfo('demo', true);
    await useLens.getState().loadPair('demo');
    const estimate = { fits: false, memoryBytes: 6e10, totalBytes: 1e9, repos: ['org/model'] } as unknown as LoadEstimate;
    worker.estimate = async () => estimate;
    await useLens.getState().loadPair('eol:org/model');
    const { load, pairInfo: shown } = useLens.getState();
    expect(load).toMatchObject({ phase: 'confirm', question: { kind: 'memory', bytes: 6e10 }, estimate, previous: { pair: 'demo', pairInfo: shown } });

    await useLens.getState().cancelLoad();
    expect(useLens.getState()).toMatchObject({ pair: 'demo', load: { phase: 'ready' }, error: 'Loading was cancelled; the previous pair is back.' });
  });

  it('slider ticks: one shift in flight, then one more with the newest λ', async () => {
    worker.load = async () => pairInfo('demo', true);
    await useLens.getState().loadPair('demo');
    const { setLambda } = useLens.getState();
    setLambda(0.5);
    setLambda(1);
    setLambda(1.5);
    expect(worker.shifts.map((s) => s.lambda)).toEqual([0.5]);
    worker.shifts[0].reply({ tokens: [], scores: [] });
    await tick();
    expect(worker.shifts.map((s) => s.lambda)).toEqual([0.5, 1.5]);
  });
});

describe('a spectrum file opened for the loaded pair', () => {
  it('gives the slider its u₁ and v_j at once, with its notice; a refusal keeps it; a later sample report changes nothing', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    const asked: unknown[] = [];
    worker.openSpectrum = async (source, computedOn) => {
      asked.push([source, computedOn]);
      return { variation: [2, 0.5], shares: [0.7, 0.1], sampleSize: 200, origin: 'pair.json', notice: 'pair.json: it was computed in fp32 on cpu' };
    };
    const file = { name: 'pair.json', text: async () => '{"u1":[1]}' } as unknown as File;
    expect(await useLens.getState().openSpectrum({ file })).toBe(true);
    expect(asked).toEqual([
      [
        { text: '{"u1":[1]}', name: 'pair.json' },
        { pairId: info.id, loadId: info.loadId },
      ],
    ]);
    const opened = {
      phase: 'ready',
      source: 'file',
      label: 'the spectrum file pair.json (200 sample sentences)',
      variation: [2, 0.5],
      shares: [0.7, 0.1],
      notice: 'pair.json: it was computed in fp32 on cpu',
    };
    expect(useLens.getState().direction).toEqual(opened);
    expect(useLens.getState().pairInfo).toMatchObject({ variation: [2, 0.5], directionSource: 'file', directionFrom: 'pair.json' });
    worker.direction?.({ loadId: info.loadId, done: 50, total: 200, spectrum, final: false });
    expect(useLens.getState().direction).toEqual(opened);

    worker.openSpectrum = async () => {
      throw new Error('other.json is not applied (the slider keeps its direction): it was computed on a with b');
    };
    expect(await useLens.getState().openSpectrum({ url: 'https://example.org/other.json' })).toBe(false);
    expect(useLens.getState()).toMatchObject({ direction: opened, error: expect.stringMatching(/^other.json is not applied/) });
  });

  it('a URL is resolved against the page; a file kept from an earlier visit is named at load', async () => {
    vi.stubGlobal('location', { search: '', pathname: '/app/', hash: '', href: 'http://host/app/?pair=x' });
    worker.load = async () => ({ ...pairInfo('hub-pair', true), directionSource: 'file', directionFrom: 'pair.json' });
    await useLens.getState().loadPair('demo');
    expect(useLens.getState().direction).toMatchObject({
      source: 'file',
      label: 'the spectrum file pair.json (200 sample sentences, kept from an earlier visit)',
    });
    let asked: unknown;
    worker.openSpectrum = async (source) => {
      asked = source;
      return { variation: [2], shares: [1], sampleSize: 8, origin: 'http://host/app/spectra/x.json' };
    };
    await useLens.getState().openSpectrum({ url: 'spectra/x.json' });
    expect(asked).toEqual({ url: 'http://host/app/spectra/x.json' });
    vi.stubGlobal('location', { search: '', pathname: '/', hash: '' });
  });
});

describe('directionAfter', () => {
  it('an error while refining keeps u₁ and stops saying it refines', () => {
    const ready = directionAfter({ phase: 'estimating', done: 0, total: 0 }, { loadId: 'x', done: 50, total: 200, spectrum, final: false });
    expect(directionAfter(ready, { loadId: 'x', done: 0, total: 200, error: 'gone' })).toEqual({ ...ready, refining: undefined });
  });

  it('a refined spectrum says how far u₁ moved, and keeps saying it while the sample goes on', () => {
    const early = directionAfter(
      { phase: 'estimating', done: 20, total: 200, movedDegrees: 4.5 },
      { loadId: 'x', done: 20, total: 200, spectrum, final: false },
    );
    expect(early).toMatchObject({ phase: 'ready', refining: { done: 20, total: 200 } });
    expect(early).not.toHaveProperty('lastMoveDegrees'); // the first u₁ moved from nothing
    const refined = directionAfter(early, { loadId: 'x', done: 40, total: 200, spectrum: { ...spectrum, sampleSize: 40 }, movedDegrees: 6.25, final: false });
    expect(refined).toMatchObject({ phase: 'ready', label: '40 sample sentences', lastMoveDegrees: 6.25, refining: { done: 40, total: 200 } });
    expect(directionAfter(refined, { loadId: 'x', done: 41, total: 200 })).toMatchObject({ lastMoveDegrees: 6.25, refining: { done: 41, total: 200 } });
  });
});
