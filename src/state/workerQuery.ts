import { useEffect } from 'react';
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { messageOf } from './lensClient';
import { newestWins } from './newestWins';

/**
 * "Ask the worker, newest wins, stamped with what it was asked on": the one shape of every explorer panel that
 * asks the worker something about the text on show (the λ curve, the token diff, the layers).
 *
 * A question is plain data and carries its own stamp (the load and the alignment it is about: `loadId`,
 * `requestId`), so a reply is shown only beside the question it answers:
 *
 * ```ts
 * const curveQuery = workerQuery((q: { loadId: string; requestId: number; k: number }) => lensClient().curve(q.requestId, q.k));
 * // in a component: asked once the question has stood still for 120 ms; undefined until its reply is in
 * const { value, error } = useWorkerAnswer(curveQuery, loadId ? { loadId, requestId, k } : undefined, { delayMs: 120 });
 * ```
 */
export type WorkerQuery<Q, R> = UseBoundStore<StoreApi<QueryState<Q, R>>>;

export interface QueryState<Q, R> {
  /** The newest reply, with the question it answers. */
  reply?: { question: Q; value: R };
  /** The newest question's failure, with that question. */
  failure?: { question: Q; message: string };
  /** A question is out. */
  busy: boolean;
  ask(question: Q): Promise<void>;
}

export interface Answer<R> {
  value?: R;
  error?: string;
  busy: boolean;
}

const sameQuestion = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What is shown for `question`: the reply if `shows` lets it stand for this question, the failure only if it is this question's. */
export function answerFor<Q, R>(
  { reply, failure, busy }: Pick<QueryState<Q, R>, 'reply' | 'failure' | 'busy'>,
  question: Q | undefined,
  shows: (answered: Q, asked: Q) => boolean = sameQuestion,
): Answer<R> {
  if (question === undefined) return { busy: false };
  return {
    value: reply && shows(reply.question, question) ? reply.value : undefined,
    error: failure && sameQuestion(failure.question, question) ? failure.message : undefined,
    busy,
  };
}

/** A question kind: `answer` asks the worker (a null or undefined reply leaves what is shown, as for a reply to a stale alignment). */
export function workerQuery<Q, R>(answer: (question: Q) => Promise<R | null | undefined>): WorkerQuery<Q, R> {
  const latest = newestWins();
  const store = create<QueryState<Q, R>>()((set) => ({
    busy: false,
    async ask(question) {
      const ticket = latest.next();
      set({ busy: true });
      try {
        const value = await answer(question);
        if (!latest.isCurrent(ticket)) return;
        set(value === null || value === undefined ? { busy: false } : { reply: { question, value }, failure: undefined, busy: false });
      } catch (error) {
        if (latest.isCurrent(ticket)) set({ busy: false, failure: { question, message: messageOf(error) } });
      }
    },
  }));

  return store;
}

/**
 * The reply for `question` (undefined: nothing to ask), asked after it has stood still for `delayMs`. `shows`
 * says whether a reply to an earlier question may stand in while the new one is computed (default: only a
 * reply to the same question).
 */
export function useWorkerAnswer<Q, R>(
  query: WorkerQuery<Q, R>,
  question: Q | undefined,
  { delayMs = 0, shows = sameQuestion }: { delayMs?: number; shows?: (answered: Q, asked: Q) => boolean } = {},
): Answer<R> {
  // The question's words are its identity: an equal question asked again (a re-render) is not asked twice.
  const key = question === undefined ? undefined : JSON.stringify(question);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the question is compared by its key, not by identity.
  useEffect(() => {
    if (question === undefined) return;
    const timer = setTimeout(() => void query.getState().ask(question), delayMs);
    return () => clearTimeout(timer);
  }, [query, key, delayMs]);
  const state = query(useShallow((s) => ({ reply: s.reply, failure: s.failure, busy: s.busy })));
  return answerFor(state, question, shows);
}
