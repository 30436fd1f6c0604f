import type { LambdaCurveView, LayerView, TokenDiffView } from '../worker/protocol';
import { lensClient } from './lensClient';
import { useLens } from './store';
import { workerQuery } from './workerQuery';

/**
 * The explorer panels' questions to the worker about the text on show (workerQuery.ts). Each question names the
 * load and the alignment it is about (`loadId`, `requestId`), so a reply is only ever shown beside its own text
 * and pair.
 */
interface AboutTheText {
  loadId: string;
  /** The alignment of the text on show (AlignResult.requestId): the worker answers from the states it holds for it. */
  requestId: number;
  k: number;
}

/** The λ curve over the slider's range ±`bound` and the base column at v₁, once per text, k and direction. */
export const curveQuery = workerQuery(async (q: AboutTheText & { bound: number }): Promise<(LambdaCurveView & { bound: number }) | null> => {
  const curve = await lensClient().curve(q.requestId, q.k, q.bound);
  return curve && { ...curve, bound: q.bound };
});

/** The token diff at λ, asked once the slider rests (it is not part of the slider's tick). */
export const diffQuery = workerQuery(
  (q: AboutTheText & { lambda: number; filtered: boolean }): Promise<TokenDiffView | null> => lensClient().diff(q.requestId, q.lambda, q.k, q.filtered),
);

/**
 * Every layer's top k at λ, for the text on show (read when asked: the alignment `requestId` names it). `v1` is part
 * of the question although the worker reads it itself: λ is on the scale of the direction's v₁, so a new direction
 * is a new question.
 */
export const layersQuery = workerQuery(
  async (q: AboutTheText & { lambda: number; v1: number }): Promise<LayerView & { k: number; lambda: number }> => ({
    ...(await lensClient().layers(q.requestId, useLens.getState().text, q.k, q.lambda)),
    k: q.k,
    lambda: q.lambda,
  }),
);
