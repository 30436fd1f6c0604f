import { create } from 'zustand';

/** The explorer's folding panels whose open state a link and a reload keep (`panels=` in the URL). */
export const PANELS = ['layers', 'contribution'] as const;
export type PanelId = (typeof PANELS)[number];

/** The open panels a query string names (unknown names are ignored). */
export function readPanels(search: string): PanelId[] {
  const raw = new URLSearchParams(search).get('panels') ?? '';
  return PANELS.filter((id) => raw.split(',').includes(id));
}

/** The query string with `panels=` naming the open ones (left out when none is). */
export function writePanels(search: string, open: readonly PanelId[]): string {
  const params = new URLSearchParams(search);
  const names = PANELS.filter((id) => open.includes(id));
  if (names.length) params.set('panels', names.join(','));
  else params.delete('panels');
  const query = params.toString();
  return query ? `?${query}` : '';
}

export interface PanelState {
  open: PanelId[];
  setOpen(id: PanelId, open: boolean): void;
}

export const usePanels = create<PanelState>()((set, get) => ({
  open: readPanels(globalThis.location?.search ?? ''),
  setOpen(id, open) {
    if (get().open.includes(id) === open) return;
    set((s) => ({ open: open ? [...s.open, id] : s.open.filter((p) => p !== id) }));
  },
}));
