import { describe, expect, it } from 'vitest';
import { answerFor, workerQuery } from './workerQuery';

/** A reply the test releases by hand, to let a later question overtake an earlier one. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('workerQuery: ask the worker, newest wins, stamped with the question', () => {
  it('keeps the newest question’s reply; an older one that arrives late is dropped', async () => {
    const pending: Record<number, ReturnType<typeof deferred<string>>> = {};
    const query = workerQuery((q: { requestId: number }) => {
      pending[q.requestId] = deferred<string>();
      return pending[q.requestId].promise;
    });
    const first = query.getState().ask({ requestId: 1 });
    const second = query.getState().ask({ requestId: 2 });
    expect(query.getState().busy).toBe(true);
    pending[2].resolve('two');
    await second;
    pending[1].resolve('one');
    await first;
    expect(query.getState()).toMatchObject({ reply: { question: { requestId: 2 }, value: 'two' }, busy: false });
  });

  it('a null reply leaves what is shown; a failure is shown only beside its own question', async () => {
    let next: () => Promise<string | null> = async () => 'kept';
    const query = workerQuery((_q: { k: number }) => next());
    await query.getState().ask({ k: 1 });
    next = async () => null;
    await query.getState().ask({ k: 2 });
    expect(query.getState().reply).toEqual({ question: { k: 1 }, value: 'kept' });
    next = async () => {
      throw new Error('No model pair is loaded yet.');
    };
    await query.getState().ask({ k: 3 });
    const state = query.getState();
    expect(answerFor(state, { k: 3 })).toEqual({ value: undefined, error: 'No model pair is loaded yet.', busy: false });
    expect(answerFor(state, { k: 1 })).toEqual({ value: 'kept', error: undefined, busy: false });
    expect(answerFor(state, { k: 4 })).toEqual({ value: undefined, error: undefined, busy: false });
  });

  it('`shows` lets an earlier reply stand in while a new one is computed (same load, another λ)', () => {
    const state = { reply: { question: { loadId: 'a', lambda: 1 }, value: 'at 1' }, busy: true };
    const sameLoad = (answered: { loadId: string }, asked: { loadId: string }) => answered.loadId === asked.loadId;
    expect(answerFor(state, { loadId: 'a', lambda: 2 }, sameLoad).value).toBe('at 1');
    expect(answerFor(state, { loadId: 'b', lambda: 1 }, sameLoad).value).toBeUndefined();
    expect(answerFor(state, { loadId: 'a', lambda: 2 }).value).toBeUndefined();
    expect(answerFor(state, undefined)).toEqual({ busy: false });
  });
});
