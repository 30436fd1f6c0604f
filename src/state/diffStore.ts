import { create } from 'zustand';
import type { TokenDiffView } from '../worker/protocol';
import { lensClient, messageOf } from './lensClient';
import { useLens } from './store';

/** The explorer's token diff: asked for once the slider rests (it is not part of the slider's tick); newest request wins. */
export interface DiffState {
  view?: TokenDiffView & { loadId: string };
  error?: string;
  loadDiff(requestId: number, lambda: number, k: number): Promise<void>;
}

let ticket = 0;

export const useDiff = create<DiffState>()((set) => ({
  async loadDiff(requestId, lambda, k) {
    const loadId = useLens.getState().pairInfo?.loadId;
    if (!loadId) return;
    const mine = ++ticket;
    try {
      const view = await lensClient().diff(requestId, lambda, k);
      if (mine === ticket && view) set({ view: { ...view, loadId }, error: undefined });
    } catch (error) {
      if (mine === ticket) set({ error: messageOf(error) });
    }
  },
}));
