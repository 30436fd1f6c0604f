import { POOLINGS, type Pooling } from '../core/pooling';
import { CATALOG, type CatalogEntry, findPair } from './catalog';
import { type BinaryReader, readText } from './files';
import { type CustomPairSpec, customPairManifest, type PairManifest, parseManifest, promptEolManifest } from './manifest';

/**
 * One string names any pair, so the URL (and `lens --pair`) can carry it:
 *   demo                                   a catalog pair under models/
 *   eol:<hub id>                           PromptEOL on one causal LM
 *   hub:<embed id>;<base id>;<pooling>[;<template>]   a custom pair of Hub models
 */
export type PairSource = { kind: 'catalog'; id: string } | { kind: 'prompt-eol'; model: string } | { kind: 'custom'; spec: CustomPairSpec };

export function parsePairId(id: string): PairSource {
  if (id.startsWith('eol:')) return { kind: 'prompt-eol', model: id.slice(4).trim() };
  if (id.startsWith('hub:')) {
    const [embed, base, pooling, ...template] = id.slice(4).split(';');
    if (!embed || !base || !POOLINGS.includes(pooling as Pooling)) {
      throw new Error(`"${id}" is not a custom pair: expected hub:<embed id>;<base id>;<last|mean|weighted-mean>[;<template>]`);
    }
    const spec: CustomPairSpec = { embed: embed.trim(), base: base.trim(), pooling: pooling as Pooling };
    if (template.length) spec.template = template.join(';');
    return { kind: 'custom', spec };
  }
  return { kind: 'catalog', id };
}

export function formatPairId(source: PairSource): string {
  if (source.kind === 'catalog') return source.id;
  if (source.kind === 'prompt-eol') return `eol:${source.model}`;
  const { embed, base, pooling, template } = source.spec;
  return `hub:${embed};${base};${pooling}${template ? `;${template}` : ''}`;
}

/** Whether loading this pair needs the Hub (the UI asks before large downloads). */
export function needsHub(id: string): boolean {
  const source = parsePairId(id);
  if (source.kind !== 'catalog') return true;
  return CATALOG.find((entry) => entry.id === source.id)?.hub !== undefined;
}

export async function manifestFor(id: string, read: BinaryReader): Promise<PairManifest> {
  const source = parsePairId(id);
  if (source.kind === 'prompt-eol') return promptEolManifest(source.model);
  if (source.kind === 'custom') return customPairManifest(source.spec);
  return catalogManifest(findPair(source.id), read);
}

/** A catalog entry's manifest: its own file, or its Hub repos (with the spectrum it names, if any). */
export async function catalogManifest(entry: CatalogEntry, read: BinaryReader): Promise<PairManifest> {
  if (entry.hub) return { ...customPairManifest(entry.hub, entry.id, entry.label), ...(entry.spectrum && { spectrum: entry.spectrum }) };
  return parseManifest(JSON.parse(await readText(read, entry.manifest)), entry.manifest);
}
