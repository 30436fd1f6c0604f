import { create } from 'zustand';
import type { TokenDiffView } from '../worker/protocol';
import { lensClient, messageOf } from './lensClient';
import { newestWins } from './newestWins';
import { useLens } from './store';

/** The explorer's token diff: asked for once the slider rests (it is not part of the slider's tick); newest request wins. */
export interface DiffState {
  view?: TokenDiffView & { loadId: string };
  error?: string;
  loadDiff(requestId: number, lambda: number, k: number, filtered: boolean): Promise<void>;
}

const latest = newestWins();

export const useDiff = create<DiffState>()((set) => ({
  async loadDiff(requestId, lambda, k, filtered) {
    const loadId = useLens.getState().pairInfo?.loadId;
    if (!loadId) return;
    const mine = latest.next();
    try {
      const view = await lensClient().diff(requestId, lambda, k, filtered);
      if (latest.isCurrent(mine) && view) set({ view: { ...view, loadId }, error: undefined });
    } catch (error) {
      if (latest.isCurrent(mine)) set({ error: messageOf(error) });
    }
  },
}));
