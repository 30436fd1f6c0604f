/**
 * What a catalog pair is made of, before it loads: whether a pair shipped under the model root is there at all
 * (SGPT's manifest ships, its bodies only after tools/hub/export_sgpt.py), and which files a load of such a pair
 * reads, by the names its progress reports use (loadPair.ts). `lens models` (its `available`), the app's pair
 * picker and the app's loading panel all ask here.
 */
import type { CatalogEntry } from '../shared/catalog';
import { type SizeOf, shippedVariant } from '../shared/dtypes';
import { type BinaryReader, type PlannedFiles, readText, TransientReadError } from '../shared/files';
import { isHubHead, type PairManifest, parseManifest } from '../shared/manifest';
import { loadPolicy } from './loadPair';
import { isSpectrumUrl } from './spectrumFile';

export interface CatalogPairStatus {
  /** The entry's manifest (a Hub entry's is made from its spec elsewhere: undefined here). */
  manifest?: PairManifest;
  /**
   * False for a pair under the model root whose manifest or embedder is missing (or is not JSON: a host's index
   * page). A server that could not answer just now (TransientReadError) leaves it true: the load, if asked for,
   * says what went wrong, and the pair is not shown as never exported.
   */
  available: boolean;
}

/** A JSON file's content; undefined when it is not there or not JSON. A transient failure is thrown. */
async function readJson(read: BinaryReader, path: string): Promise<unknown> {
  try {
    return JSON.parse(await readText(read, path));
  } catch (error) {
    if (error instanceof TransientReadError) throw error;
    return undefined;
  }
}

/** Whether a catalog pair can load from here: a Hub pair always (the Hub answers at load); a shipped pair when its manifest and its embedder's config.json are present. */
export async function catalogPairStatus(entry: CatalogEntry, read: BinaryReader): Promise<CatalogPairStatus> {
  if (entry.hub) return { available: true };
  try {
    return await shippedPairStatus(entry.manifest, read);
  } catch (error) {
    if (error instanceof TransientReadError) return { available: true }; // not known to be missing
    throw error;
  }
}

async function shippedPairStatus(manifestPath: string, read: BinaryReader): Promise<CatalogPairStatus> {
  const json = await readJson(read, manifestPath);
  let manifest: PairManifest | undefined;
  try {
    manifest = json === undefined ? undefined : parseManifest(json, manifestPath);
  } catch {
    manifest = undefined;
  }
  if (!manifest) return { available: false };
  const config = await readJson(read, `${manifest.embed.model}/config.json`);
  return { manifest, available: typeof config === 'object' && config !== null };
}

/**
 * The files a load of a pair shipped under the model root reads after its manifest, named as its progress names
 * them: each body's config and graph (shared/dtypes.ts shippedVariant: fp32, weights inside), the tokenizer(s) the load
 * policy reads, W, and the manifest's small files. Undefined for a pair whose W comes from the Hub.
 */
export function localPairFiles(manifest: PairManifest): string[] | undefined {
  if (isHubHead(manifest.lmHead)) return undefined;
  const policy = loadPolicy(manifest, 'wasm');
  const body = (model: string, tokenizer: boolean) => [
    `${model}/config.json`,
    ...(tokenizer ? [`${model}/tokenizer.json`, `${model}/tokenizer_config.json`] : []),
    `${model}/${shippedVariant().graph}`,
  ];
  const files = [
    ...body(manifest.embed.model, true),
    ...body(manifest.base.model, policy.readBaseTokenizer),
    manifest.lmHead.file,
    manifest.frequentTokens,
    manifest.sample,
    manifest.spectrum && !isSpectrumUrl(manifest.spectrum) ? manifest.spectrum : undefined,
  ];
  return [...new Set(files.filter((f): f is string => typeof f === 'string'))];
}

/** The files a pair's load reads with their sizes (`sizeOf`: HEAD under the model root); a Hub pair's: none known here, not complete. */
export async function plannedFiles(manifest: PairManifest, sizeOf: SizeOf): Promise<PlannedFiles> {
  const names = localPairFiles(manifest);
  if (!names) return { files: [], complete: false };
  const files = await Promise.all(names.map(async (file) => ({ file, bytes: await sizeOf(file).catch(() => undefined) })));
  return { files, complete: files.every((f) => f.bytes !== undefined) };
}
