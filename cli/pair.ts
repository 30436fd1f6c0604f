/**
 * The one place the CLI turns its options into a pair: every command (align,
 * analyze, spectrum, index, search, evaluate) resolves `--pair`, `--embed/--base`
 * and `--prompt-eol` here.
 */
import { POOLINGS, type Pooling } from '../src/core/pooling';
import type { SpectrumStore } from '../src/runtime/direction';
import type { DownloadLog } from '../src/runtime/downloadLog';
import { DEFAULT_HUB_URL, HubClient } from '../src/runtime/hub';
import type { LoadOptions } from '../src/runtime/loadPair';
import { allowHub, cachedSpectra, DEFAULT_MODEL_ROOT, defaultHubCacheDir, localModelReader } from '../src/runtime/node';
import type { PairPlan } from '../src/runtime/plan';
import { resolveLoad } from '../src/runtime/resolveLoad';
import { DTYPES, isDtype } from '../src/shared/dtypes';
import type { BinaryReader } from '../src/shared/files';
import type { CustomPairSpec, PairManifest } from '../src/shared/manifest';
import { formatPairId, needsHub } from '../src/shared/pairId';
import { UsageError } from './io';

export type Options = Record<string, string | boolean | undefined>;

export interface ResolvedPair {
  /** The pair's id as the app's URL would carry it (`demo`, `eol:…`, `hub:…`). */
  id: string;
  manifest: PairManifest;
  read: BinaryReader;
  hub: HubClient;
  /** The folder local pairs are read from (`--models-dir`, default models/). */
  modelsDir: string;
  /** The variant each body loads (`--dtype`, else fp32 on the CPU where the repos have it). */
  plan: PairPlan;
  /** What a Hub load downloads into the cache folder, removed again if the load fails on a file's contents. */
  downloads?: DownloadLog;
  /** A Hub pair's sample spectrum, kept in the cache folder beside its files (the second run skips the sample). */
  spectra?: SpectrumStore;
}

/** LensPair / LensSession options for a resolved pair on the CPU. */
export const cpuLoadOptions = (pair: ResolvedPair, onProgress?: LoadOptions['onProgress']): LoadOptions => ({
  device: 'cpu',
  read: pair.read,
  hub: pair.hub,
  plan: pair.plan,
  downloads: pair.downloads,
  onProgress,
});

function checkHubId(id: string): void {
  try {
    HubClient.checkId(id);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The id of the custom Hub pair the options describe, or undefined when they name a catalog pair. */
function customPairId(options: Options): string | undefined {
  if (options.embed === undefined && options.base === undefined && options['prompt-eol'] === undefined) return undefined;
  const eol = options['prompt-eol'];
  if (typeof eol === 'string') {
    HubClient.checkId(eol);
    return formatPairId({ kind: 'prompt-eol', model: eol });
  }
  const { embed, base, pooling, template } = options;
  if (typeof embed !== 'string' || typeof base !== 'string') throw new UsageError('a custom pair needs both --embed <hub id> and --base <hub id>');
  if (typeof pooling !== 'string' || !POOLINGS.includes(pooling as Pooling)) {
    throw new UsageError(`--pooling must be one of ${POOLINGS.join(', ')}`);
  }
  if (template !== undefined && !String(template).includes('{text}')) throw new UsageError('--template must contain {text}');
  checkHubId(embed);
  checkHubId(base);
  const spec: CustomPairSpec = { embed, base, pooling: pooling as Pooling, template: template as string | undefined };
  return formatPairId({ kind: 'custom', spec });
}

/**
 * The pair a command runs on: a catalog id (`--pair demo`), or a custom pair of Hub
 * models (`--embed <id> --base <id> --pooling <p> [--template "…{text}…"]`, or
 * `--prompt-eol <id>`), fetched from `--hub-url` (default huggingface.co), resolved on
 * the CPU as the app resolves a load (runtime/resolveLoad.ts).
 */
export async function resolvePair(options: Options): Promise<ResolvedPair> {
  const dtype = options.dtype;
  if (dtype !== undefined && !isDtype(dtype)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}`);
  const modelsDir = (options['models-dir'] as string | undefined) ?? DEFAULT_MODEL_ROOT;
  const read = localModelReader(modelsDir);
  const hubUrl = typeof options['hub-url'] === 'string' ? options['hub-url'] : DEFAULT_HUB_URL;
  const id = customPairId(options) ?? options.pair;
  if (typeof id !== 'string') throw new UsageError('--pair <id> is required (see `lens models`), or --embed/--base for a Hub pair');
  const cacheDir = (options['cache-dir'] as string | undefined) ?? defaultHubCacheDir(hubUrl);
  const downloads = needsHub(id) ? allowHub(hubUrl, cacheDir) : undefined;
  try {
    const { manifest, hub, plan } = await resolveLoad({ pairId: id, backend: 'cpu', hubUrl, dtype }, { read });
    return { id, manifest, read, hub, modelsDir, plan, downloads, spectra: downloads && cachedSpectra(cacheDir) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
