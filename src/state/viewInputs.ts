import { useCompare } from './compareStore';
import { useRetrieval } from './retrievalStore';

/**
 * The other views' inputs in the link, beside the explorer's (urlSync.ts): the Similarity view's two texts
 * (`sim`, twice), the Instructions view's templates (`tpl`, once each) and the Retrieval view's query (`q`).
 * Each is written only when it differs from the view's default, so an untouched view adds nothing to a link. The
 * templates' defaults are the loaded pair's (compareStore.ts `followPair`): `tpl` is written only for templates
 * the user made (typed, or from a link) that differ from those, and a link's `tpl` is kept whatever pair loads.
 */
interface Inputs {
  sim: string[];
  q: string;
}

const current = (): Inputs => ({
  sim: [...useCompare.getState().similarityTexts],
  q: useRetrieval.getState().query,
});

/** The views' defaults, as their stores start (taken before a link's values are applied). */
let defaults: Inputs | undefined;

/** Applies a link's inputs to the views' stores; call once, before the first write. */
export function readViewInputs(search: string): void {
  defaults ??= current();
  const params = new URLSearchParams(search);
  const sim = params.getAll('sim');
  if (sim.length === 2) useCompare.setState({ similarityTexts: [sim[0], sim[1]] });
  const tpl = params.getAll('tpl');
  if (tpl.length > 0) useCompare.getState().setTemplates(tpl);
  const q = params.get('q');
  if (q !== null) useRetrieval.setState({ query: q });
}

/** The query string with the views' inputs that differ from their defaults. */
export function writeViewInputs(search: string): string {
  const params = new URLSearchParams(search);
  const now = current();
  const base = defaults ?? now;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  params.delete('sim');
  params.delete('tpl');
  params.delete('q');
  if (!same(now.sim, base.sim)) for (const t of now.sim) params.append('sim', t);
  const { templates, templatesEdited, templateDefaults } = useCompare.getState();
  if (templatesEdited && !(templateDefaults && same(templates, templateDefaults))) for (const t of templates) params.append('tpl', t);
  if (now.q !== base.q) params.set('q', now.q);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Calls `changed` whenever one of the views' inputs changes. */
export function onViewInputs(changed: () => void): void {
  useCompare.subscribe((s, p) => {
    if (s.similarityTexts !== p.similarityTexts || s.templates !== p.templates || s.templatesEdited !== p.templatesEdited) changed();
  });
  useRetrieval.subscribe((s, p) => {
    if (s.query !== p.query) changed();
  });
}
