import { create } from 'zustand';
import type { ColumnResult, LambdaCurveView } from '../worker/protocol';
import { sliderBound } from './lambdaRange';
import { lensClient, messageOf } from './lensClient';
import { newestWins } from './newestWins';
import { useLens } from './store';

/**
 * The explorer's λ curve and the base column at λ = v₁ (for the side-by-side figure) of the text on show,
 * asked for once per text, k and direction: a slider move only moves the curve's marker.
 */
export interface CurveState {
  view?: LambdaCurveView & { loadId: string; v1: number; bound: number; atV1: ColumnResult | null };
  error?: string;
  loadCurve(requestId: number, k: number, v1: number): Promise<void>;
}

const latest = newestWins();

export const useCurve = create<CurveState>()((set) => ({
  async loadCurve(requestId, k, v1) {
    const loadId = useLens.getState().pairInfo?.loadId;
    if (!loadId) return;
    const mine = latest.next();
    const bound = sliderBound(v1);
    try {
      const [curve, atV1] = await Promise.all([lensClient().curve(requestId, k, bound), lensClient().shift(requestId, v1, k)]);
      if (latest.isCurrent(mine) && curve) set({ view: { ...curve, loadId, v1, bound, atV1 }, error: undefined });
    } catch (error) {
      if (latest.isCurrent(mine)) set({ error: messageOf(error) });
    }
  },
}));
