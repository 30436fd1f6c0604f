import { create } from 'zustand';

/** What the page says about its own link (urlSync.ts keeps it). */
export interface LinkState {
  /** The link carries only the first `chars` characters of the text (`of` in all): what the model reads. */
  cut?: { chars: number; of: number };
  /** The view's link would be this long, beyond SAFE_URL_LENGTH: the address bar keeps the last text that fit. */
  tooLong?: number;
  /** Values from the link (or a λ beyond the slider) the app could not use, and what it used instead. */
  corrections: string[];
  dismissCorrections(): void;
}

export const useLink = create<LinkState>()((set) => ({
  corrections: [],
  dismissCorrections: () => set({ corrections: [] }),
}));
