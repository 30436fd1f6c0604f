import { create } from 'zustand';
import type { ComputedOn, LayerView } from '../worker/protocol';
import { lensClient, messageOf } from './lensClient';
import { newestWins } from './newestWins';
import { useLens } from './store';

/** The explorer's layer view: computed when its panel is open, for the current text, k and λ; newest request wins. */
export interface LayerState {
  view?: LayerView & { computedOn: ComputedOn; text: string; k: number; lambda: number };
  busy: boolean;
  error?: string;
  /** Computes the view for the current text at `k` and `lambda` (default: the explorer's). */
  loadLayers(k?: number, lambda?: number): Promise<void>;
}

const latest = newestWins();

export const useLayers = create<LayerState>()((set) => ({
  busy: false,
  async loadLayers(k = useLens.getState().k, lambda = useLens.getState().lambda) {
    const { result, text, pairInfo } = useLens.getState();
    if (!result || !pairInfo || !text.trim()) return;
    const mine = latest.next();
    set({ busy: true, error: undefined });
    try {
      const view = await lensClient().layers(result.requestId, text, k, lambda);
      if (latest.isCurrent(mine)) set({ view: { ...view, computedOn: { pairId: pairInfo.id, loadId: pairInfo.loadId }, text, k, lambda }, busy: false });
    } catch (error) {
      if (latest.isCurrent(mine)) set({ busy: false, error: messageOf(error) });
    }
  },
}));
