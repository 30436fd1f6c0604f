import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlignResult, DirectionState, DirectionUpdate, FaultReport, FileProgress, LoadEstimate, PairInfo, ReadyDirection } from '../worker/protocol';
import { WorkerError } from '../worker/protocol';

/** A worker stand-in: each test says what load() and estimate() answer. */
const worker = vi.hoisted(() => ({
  load: async (_pair: string, _backend: string, _onProgress: unknown): Promise<unknown> => undefined,
  estimate: async (): Promise<unknown> => undefined,
  direction: undefined as ((update: DirectionUpdate) => void) | undefined,
  shifts: [] as { lambda: number; reply: (view: unknown) => void }[],
  openSpectrum: async (_source: unknown, _computedOn: unknown): Promise<unknown> => undefined,
  setDirection: async (_analysis: unknown, _computedOn: unknown): Promise<unknown> => undefined,
}));

vi.mock('./lensClient', () => ({
  lensClient: () => ({
    load: (pair: string, backend: string, onProgress: unknown) => worker.load(pair, backend, onProgress),
    estimate: () => worker.estimate(),
    plannedFiles: async () => ({ files: [], complete: false }),
    onDirection: async (callback: (update: DirectionUpdate) => void) => {
      worker.direction = callback;
    },
    onDeviceLost: async () => {},
    onSteps: async () => {},
    align: async (requestId: number, text: string, k: number, lambda: number) =>
      ({ requestId, text, k, lambda, tokens: [], embed: { tokens: [], scores: [] }, base: { tokens: [], scores: [] } }) as unknown as AlignResult,
    shift: (_requestId: number, lambda: number) => new Promise((reply) => worker.shifts.push({ lambda, reply })),
    setDirection: (analysis: unknown, computedOn: unknown) => worker.setDirection(analysis, computedOn),
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
const { useLens } = await import('./store');

let loads = 0;
const pairInfo = (id: string, spectrum: boolean): PairInfo =>
  ({
    id,
    loadId: `${id}-${++loads}`,
    name: id,
    direction: spectrum ? shipped : { state: 'estimating', done: 0, total: 200 },
  }) as unknown as PairInfo;

const shipped: ReadyDirection = { state: 'ready', source: 'shipped', variation: [2.5, 0.3], shares: [0.9, 0.05], sampleSize: 200 };
const early: ReadyDirection = {
  state: 'ready',
  source: 'sample',
  variation: [1.5, 0.2],
  shares: [0.8, 0.1],
  sampleSize: 50,
  refining: { done: 50, total: 200 },
};
/** The direction the page shows. */
const shown = (): DirectionState | undefined => useLens.getState().pairInfo?.direction;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  useLens.setState({
    load: { phase: 'idle' },
    pairInfo: undefined,
    messages: {},
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
    expect(shown()).toEqual(shipped);
  });

  it('a pair that embeds its sample: a change heard before load() returns is taken once the pair is held; each later one as it comes', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => {
      worker.direction?.({ loadId: info.loadId, direction: { state: 'estimating', done: 10, total: 200 }, newU1: false });
      return info;
    };
    await useLens.getState().loadPair('demo');
    expect(shown()).toEqual({ state: 'estimating', done: 10, total: 200 });

    useLens.setState({ lambda: 1 });
    worker.direction?.({ loadId: info.loadId, direction: early, newU1: true });
    expect(shown()).toBe(early);
    expect(worker.shifts.map((s) => s.lambda)).toEqual([1]); // a new u₁ moves the base column at λ ≠ 0
    const refining = { ...early, refining: { done: 51, total: 200 } };
    worker.direction?.({ loadId: info.loadId, direction: refining, newU1: false });
    expect(shown()).toBe(refining);
    expect(worker.shifts).toHaveLength(1);
    worker.shifts[0].reply({ tokens: [], scores: [] });
    await tick();
  });

  it('a change of another load is ignored', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    worker.direction?.({ loadId: 'another', direction: { state: 'failed', reason: 'elsewhere' }, newU1: false });
    expect(shown()).toEqual({ state: 'estimating', done: 0, total: 200 });
    worker.direction?.({ loadId: info.loadId, direction: { state: 'failed', reason: 'PC1 could not be estimated' }, newU1: false });
    expect(shown()).toEqual({ state: 'failed', reason: 'PC1 could not be estimated' });
  });

  it('an applied analysis: the worker is sent its u₁ and v_j, and the page shows the direction it answers', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    const analysis = { u1: [1], variation: [3, 1], shares: [0.7, 0.2], sampleSize: 60, origin: 'the 60 texts of STS-B test' };
    const answered: ReadyDirection = { state: 'ready', source: 'analysis', ...analysis };
    const asked: unknown[] = [];
    worker.setDirection = async (...args) => {
      asked.push(args);
      return answered;
    };
    await useLens.getState().applyDirection(analysis, { pairId: info.id, loadId: info.loadId });
    expect(asked).toEqual([[analysis, { pairId: info.id, loadId: info.loadId }]]);
    expect(shown()).toEqual(answered);
  });

  it('a failed load falls back to the pair showing with its direction as it is now: changes heard while the load ran are kept', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    worker.load = async () => {
      worker.direction?.({ loadId: info.loadId, direction: early, newU1: true });
      throw new Error('no such pair');
    };
    await useLens.getState().loadPair('other');
    expect(useLens.getState()).toMatchObject({ load: { phase: 'ready' }, pair: 'demo', pairInfo: { loadId: info.loadId } });
    expect(shown()).toBe(early);
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
    expect(state).toMatchObject({ load: { phase: 'ready' }, pair: 'demo', messages: { load: { text: 'no such pair', tone: 'error' } } });
    expect(state.pairInfo).toBe(before.pairInfo);

    useLens.setState({ load: { phase: 'idle' } });
    await useLens.getState().loadPair('other');
    state = useLens.getState();
    expect(state.load).toEqual({ phase: 'error', reason: 'no such pair' });
    expect(state.messages).toEqual({ load: { text: 'no such pair', tone: 'error' } });
  });

  it("a load's failure stays when an alignment of the pair showing works; an alignment's error is its own", async () => {
    worker.load = async () => pairInfo('demo', true);
    await useLens.getState().loadPair('demo');
    worker.load = async () => {
      throw new Error('no such pair');
    };
    await useLens.getState().loadPair('other');
    useLens.setState({ result: undefined });
    useLens.getState().setK(7); // aligns the pair showing again, and it works
    await tick();
    expect(useLens.getState().result).toBeDefined();
    expect(useLens.getState().messages.load?.text).toBe('no such pair');
    useLens.getState().dismissMessage('load');
    expect(useLens.getState().messages).toEqual({});
  });

  it("a fault's kind reaches the page; Retry is offered where the kind allows it, and loads the same request again", async () => {
    worker.load = async () => pairInfo('demo', true);
    await useLens.getState().loadPair('demo');
    const fault = (kind: FaultReport['kind'], retryable: boolean): FaultReport => ({
      kind,
      retryable,
      message: `${kind}!`,
      repo: 'org/m',
      file: 'onnx/model.onnx',
    });
    worker.load = async () => {
      throw new WorkerError('org/m/onnx/model.onnx: the server answered 503', fault('server', true));
    };
    await useLens.getState().loadPair('other', 'wasm', { force: true, dtype: 'q8' });
    const failed = useLens.getState().messages.load;
    expect(failed).toMatchObject({ tone: 'error', fault: { kind: 'server', file: 'onnx/model.onnx' }, retry: { pair: 'other', backend: 'wasm', dtype: 'q8' } });

    const asked: string[] = [];
    worker.load = async (pair, backend) => {
      asked.push(`${pair} ${backend}`);
      return pairInfo(pair, true);
    };
    await useLens.getState().retryFailedLoad();
    expect(asked).toEqual(['other wasm']);
    expect(useLens.getState()).toMatchObject({ pair: 'other', load: { phase: 'ready' }, messages: {} });

    worker.load = async () => {
      throw new WorkerError('org/m: no such repository', fault('no-repo', false));
    };
    await useLens.getState().loadPair('third');
    expect(useLens.getState().messages.load).toMatchObject({ fault: { kind: 'no-repo' } });
    expect(useLens.getState().messages.load?.retry).toBeUndefined();
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
    expect(useLens.getState()).toMatchObject({
      pair: 'demo',
      load: { phase: 'ready' },
      messages: { load: { text: 'Loading was cancelled; the previous pair is back.', tone: 'notice' } },
    });
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
  it('gives the slider the direction the worker answers, with its notice; a refusal keeps the one it had', async () => {
    const info = pairInfo('hub-pair', false);
    worker.load = async () => info;
    await useLens.getState().loadPair('demo');
    const asked: unknown[] = [];
    const opened: ReadyDirection = {
      state: 'ready',
      source: 'file',
      origin: 'pair.json',
      variation: [2, 0.5],
      shares: [0.7, 0.1],
      sampleSize: 200,
      notice: 'pair.json: it was computed in fp32 on cpu',
    };
    worker.openSpectrum = async (source, computedOn) => {
      asked.push([source, computedOn]);
      return opened;
    };
    const file = { name: 'pair.json', text: async () => '{"u1":[1]}' } as unknown as File;
    expect(await useLens.getState().openSpectrum({ file })).toBe(true);
    expect(asked).toEqual([
      [
        { text: '{"u1":[1]}', name: 'pair.json' },
        { pairId: info.id, loadId: info.loadId },
      ],
    ]);
    expect(shown()).toEqual(opened);

    worker.openSpectrum = async () => {
      throw new Error('other.json is not applied (the slider keeps its direction): it was computed on a with b');
    };
    expect(await useLens.getState().openSpectrum({ url: 'https://example.org/other.json' })).toBe(false);
    expect(shown()).toEqual(opened);
    expect(useLens.getState()).toMatchObject({ messages: { spectrum: { text: expect.stringMatching(/^other.json is not applied/) } } });
  });

  it('a URL is resolved against the page', async () => {
    vi.stubGlobal('location', { search: '', pathname: '/app/', hash: '', href: 'http://host/app/?pair=x' });
    worker.load = async () => pairInfo('hub-pair', true);
    await useLens.getState().loadPair('demo');
    let asked: unknown;
    worker.openSpectrum = async (source) => {
      asked = source;
      return { state: 'ready', source: 'file', origin: 'http://host/app/spectra/x.json', variation: [2], shares: [1], sampleSize: 8 };
    };
    await useLens.getState().openSpectrum({ url: 'spectra/x.json' });
    expect(asked).toEqual({ url: 'http://host/app/spectra/x.json' });
    vi.stubGlobal('location', { search: '', pathname: '/', hash: '' });
  });
});
