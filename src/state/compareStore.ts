import { create } from 'zustand';
import type { ContributionRow, SimilarityResult, TemplatedView } from '../worker/protocol';
import { lensClient, messageOf } from './lensClient';
import { useLens } from './store';

/** State of the Instruction, Similarity and Contribution views (each one request at a time, newest wins). */
export interface CompareState {
  templates: string[];
  instructionViews?: TemplatedView[];
  similarityTexts: [string, string];
  similarity?: SimilarityResult;
  contributions?: { embed: ContributionRow[]; base: ContributionRow[] };
  busy: boolean;
  message?: string;

  setTemplate(index: number, template: string): void;
  compareInstructions(): Promise<void>;
  setSimilarityText(index: 0 | 1, text: string): void;
  compareSimilarity(): Promise<void>;
  loadContributions(): Promise<void>;
}

export const DEFAULT_TEMPLATES = [
  '{text}',
  'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: {text}',
  'Instruct: Classify the emotion expressed in the given text\nQuery: {text}',
];

let ticket = 0;

async function latest<T>(work: () => Promise<T>, apply: (value: T) => void, set: (s: Partial<CompareState>) => void) {
  const mine = ++ticket;
  set({ busy: true, message: undefined });
  try {
    const value = await work();
    if (mine === ticket) {
      apply(value);
      set({ busy: false });
    }
  } catch (error) {
    if (mine === ticket) set({ busy: false, message: messageOf(error) });
  }
}

export const useCompare = create<CompareState>()((set, get) => ({
  templates: [...DEFAULT_TEMPLATES],
  similarityTexts: ['A man is playing a guitar.', 'A woman is playing the violin.'],
  busy: false,

  setTemplate(index, template) {
    const templates = [...get().templates];
    templates[index] = template;
    set({ templates });
  },

  async compareInstructions() {
    const { text, k } = useLens.getState();
    if (!text.trim()) return set({ message: 'The text is empty: type one in the Explorer first.' });
    await latest(
      () => lensClient().compareTemplates(text, get().templates, k),
      (instructionViews) => set({ instructionViews }),
      set,
    );
  },

  setSimilarityText(index, text) {
    const texts: [string, string] = [...get().similarityTexts];
    texts[index] = text;
    set({ similarityTexts: texts });
  },

  async compareSimilarity() {
    const [a, b] = get().similarityTexts;
    if (!a.trim() || !b.trim()) return set({ message: 'Both texts are needed to compare them.' });
    await latest(
      () => lensClient().compareTexts(a, b, useLens.getState().k),
      (similarity) => set({ similarity }),
      set,
    );
  },

  async loadContributions() {
    const { result, k } = useLens.getState();
    if (!result) return;
    await latest(
      () => lensClient().contributions(result.requestId, k),
      (value) => {
        if (value) set({ contributions: value });
      },
      set,
    );
  },
}));
