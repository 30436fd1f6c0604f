import { create } from 'zustand';
import { defaultInstructions } from '../shared/instructions';
import type { ContributionRow, SimilarityResult, TemplatedView } from '../worker/protocol';
import { lensClient, messageOf } from './lensClient';
import { type NewestWins, newestWins } from './newestWins';
import { currentProvenance, type Provenance } from './provenance';
import { useLens } from './store';

/** The three kinds of request this store makes; each has its own ticket, busy flag and message. */
export type CompareKind = 'instructions' | 'similarity' | 'contributions';

/** A result with the pair and load it was computed on. */
export type Computed<T> = T & { computedOn: Provenance };

/** State of the Instruction, Similarity and Contribution views (per kind, one request at a time, newest wins). */
export interface CompareState {
  templates: string[];
  /** The loaded pair's default templates (shared/instructions.ts); undefined until a pair has loaded. */
  templateDefaults?: string[];
  /**
   * The templates are the user's (typed, or a link's `tpl=`), not the pair's defaults: a pair that loads keeps
   * them. Cleared when they are the loaded pair's defaults again.
   */
  templatesEdited: boolean;
  instructionViews?: Computed<{ views: TemplatedView[] }>;
  similarityTexts: [string, string];
  similarity?: Computed<SimilarityResult>;
  /** The base side is at `lambda`, the slider's λ when it was asked for. */
  contributions?: Computed<{ embed: ContributionRow[]; base: ContributionRow[]; lambda: number }>;
  busy: Record<CompareKind, boolean>;
  message: Partial<Record<CompareKind, string>>;

  setTemplate(index: number, template: string): void;
  /** The user's own templates (a link's `tpl=`), kept whatever pair loads. */
  setTemplates(templates: string[]): void;
  /** Back to the loaded pair's defaults. */
  resetTemplates(): void;
  /** A pair has loaded whose embedder reads `template`: its defaults replace the templates unless they are the user's. */
  followPair(template: string | undefined): void;
  compareInstructions(): Promise<void>;
  setSimilarityText(index: 0 | 1, text: string): void;
  compareSimilarity(): Promise<void>;
  loadContributions(): Promise<void>;
}

const same = (a: readonly string[], b: readonly string[] | undefined) => b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

const requests: Record<CompareKind, NewestWins> = { instructions: newestWins(), similarity: newestWins(), contributions: newestWins() };

export const useCompare = create<CompareState>()((set, get) => {
  const setBusy = (kind: CompareKind, busy: boolean, message?: string) =>
    set((s) => ({ busy: { ...s.busy, [kind]: busy }, message: { ...s.message, [kind]: message } }));

  /** Runs one request of `kind`; its reply is applied only if no newer request of that kind was made. */
  const latest = async <T>(kind: CompareKind, work: () => Promise<T>, apply: (value: T, computedOn: Provenance) => void) => {
    const computedOn = currentProvenance();
    if (!computedOn) return setBusy(kind, false, 'The model pair is not loaded yet.');
    const mine = requests[kind].next();
    setBusy(kind, true);
    try {
      const value = await work();
      if (!requests[kind].isCurrent(mine)) return;
      apply(value, computedOn);
      setBusy(kind, false);
    } catch (error) {
      if (requests[kind].isCurrent(mine)) setBusy(kind, false, messageOf(error));
    }
  };

  return {
    templates: defaultInstructions(undefined),
    templatesEdited: false,
    similarityTexts: ['A man is playing a guitar.', 'A woman is playing the violin.'],
    busy: { instructions: false, similarity: false, contributions: false },
    message: {},

    setTemplate(index, template) {
      const templates = [...get().templates];
      templates[index] = template;
      set({ templates, templatesEdited: !same(templates, get().templateDefaults) });
    },

    setTemplates(templates) {
      set({ templates: [...templates], templatesEdited: true });
    },

    resetTemplates() {
      set({ templates: [...(get().templateDefaults ?? defaultInstructions(undefined))], templatesEdited: false });
    },

    followPair(template) {
      const defaults = defaultInstructions(template);
      const { templates, templatesEdited, templateDefaults } = get();
      if (same(defaults, templateDefaults)) return;
      if (!templatesEdited) set({ templates: defaults, templateDefaults: defaults });
      else set({ templateDefaults: defaults, templatesEdited: !same(templates, defaults) });
    },

    async compareInstructions() {
      const { text, k } = useLens.getState();
      if (!text.trim()) return setBusy('instructions', false, 'The text is empty: type one in the Explorer first.');
      await latest(
        'instructions',
        () => lensClient().compareTemplates(text, get().templates, k),
        (views, computedOn) => set({ instructionViews: { views, computedOn } }),
      );
    },

    setSimilarityText(index, text) {
      const texts: [string, string] = [...get().similarityTexts];
      texts[index] = text;
      set({ similarityTexts: texts });
    },

    async compareSimilarity() {
      const [a, b] = get().similarityTexts;
      if (!a.trim() || !b.trim()) return setBusy('similarity', false, 'Both texts are needed to compare them.');
      await latest(
        'similarity',
        () => lensClient().compareTexts(a, b, useLens.getState().k),
        (similarity, computedOn) => set({ similarity: { ...similarity, computedOn } }),
      );
    },

    async loadContributions() {
      const { result, k, lambda } = useLens.getState();
      if (!result) return;
      await latest(
        'contributions',
        () => lensClient().contributions(result.requestId, k, lambda),
        (value, computedOn) => {
          if (value) set({ contributions: { ...value, computedOn } });
        },
      );
    },
  };
});

// The Instructions view's defaults follow the loaded pair (its embedder's template).
const loaded = useLens.getState().pairInfo;
if (loaded) useCompare.getState().followPair(loaded.template);
useLens.subscribe((s, p) => {
  if (s.pairInfo && s.pairInfo.template !== p.pairInfo?.template) useCompare.getState().followPair(s.pairInfo.template);
});
