import { describe, expect, it, vi } from 'vitest';
import type { PairInfo, RetrievalEvaluation } from '../worker/protocol';

/** A worker stand-in whose evaluations the test answers by hand, in the order it chooses. */
const replies = vi.hoisted(() => [] as { m: number; answer: (evaluation: unknown) => void }[]);
vi.mock('./lensClient', () => ({
  lensClient: () => ({
    retrievalEvaluate: (_queries: unknown, _qrels: unknown, m: number) => new Promise((answer) => replies.push({ m, answer })),
  }),
  proxyCallback: <T>(callback: T) => callback,
  onWorkerStart: () => {},
  restartLensClient: () => {},
  messageOf: (error: unknown) => String(error),
}));
vi.stubGlobal('location', { search: '', pathname: '/', hash: '' });
const { useLens } = await import('./store');
const { useRetrieval } = await import('./retrievalStore');

describe('the retrieval store', () => {
  it('shows the newest evaluation: one asked earlier that answers later is dropped', async () => {
    const pairInfo = { id: 'demo', name: 'Demo', loadId: 'demo-1' } as unknown as PairInfo;
    useLens.setState({ load: { phase: 'ready' }, pairInfo });
    const indexOn = { pairId: 'demo', pairName: 'Demo', loadId: 'demo-1' };
    useRetrieval.setState({ status: 'ready', indexOn, testSet: { queries: [], qrels: new Map() } as never, m: 0 });

    const first = useRetrieval.getState().evaluate();
    useRetrieval.setState({ m: 8 });
    const second = useRetrieval.getState().evaluate();
    const evaluation = (m: number) => ({ m, rows: [] }) as unknown as RetrievalEvaluation;
    replies[1].answer(evaluation(8));
    await second;
    replies[0].answer(evaluation(0));
    await first;
    expect(replies.map((r) => r.m)).toEqual([0, 8]);
    expect(useRetrieval.getState()).toMatchObject({ evaluation: { m: 8, computedOn: indexOn }, evaluating: false });
  });
});
