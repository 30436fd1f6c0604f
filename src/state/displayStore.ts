import { create } from 'zustand';

/**
 * How the explorer reads its lists, kept in a link and a reload:
 * - `metrics`: the columns' Hit@k and LAR over the text's content tokens (the default: plain Hit@k is nearly
 *   always 1, since almost every text holds " ." or " the") or over all its tokens, as the paper defines them
 *   (`metrics=all` in the URL);
 * - `hideNoise`: byte and special tokens left out of the columns, the token diff and the PC1 tokens (the
 *   default; `tokens=all` shows them).
 */
export type MetricSet = 'content' | 'all';

export interface DisplayState {
  metrics: MetricSet;
  hideNoise: boolean;
  setMetrics(metrics: MetricSet): void;
  setHideNoise(hide: boolean): void;
}

export function readDisplay(search: string): Pick<DisplayState, 'metrics' | 'hideNoise'> {
  const params = new URLSearchParams(search);
  return { metrics: params.get('metrics') === 'all' ? 'all' : 'content', hideNoise: params.get('tokens') !== 'all' };
}

/** The query string with `metrics=` and `tokens=` set where they differ from the defaults. */
export function writeDisplay(search: string, display: Pick<DisplayState, 'metrics' | 'hideNoise'>): string {
  const params = new URLSearchParams(search);
  if (display.metrics === 'all') params.set('metrics', 'all');
  else params.delete('metrics');
  if (display.hideNoise) params.delete('tokens');
  else params.set('tokens', 'all');
  const query = params.toString();
  return query ? `?${query}` : '';
}

export const useDisplay = create<DisplayState>()((set) => ({
  ...readDisplay(globalThis.location?.search ?? ''),
  setMetrics: (metrics) => set({ metrics }),
  setHideNoise: (hideNoise) => set({ hideNoise }),
}));
