/** The pairs the app offers. Each entry points at a manifest under the model root. */
export interface CatalogEntry {
  id: string;
  label: string;
  /** Manifest path relative to the model root. */
  manifest: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  { id: 'demo', label: 'Demo pair (tiny GPT trained here, offline)', manifest: 'demo/manifest.json' },
  { id: 'test-tiny', label: 'Random tiny pair (mechanics only, for tests)', manifest: 'test-tiny/manifest.json' },
];

export const DEFAULT_PAIR_ID = 'demo';

export function findPair(id: string): CatalogEntry {
  const entry = CATALOG.find((e) => e.id === id);
  if (!entry) throw new Error(`Unknown model pair "${id}". Known pairs: ${CATALOG.map((e) => e.id).join(', ')}.`);
  return entry;
}
