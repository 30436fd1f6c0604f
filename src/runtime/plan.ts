import { chooseDtype, commonDtypes, type Dtype, dtypeFile, preferredDtypes, probeVariants, shippedVariant, type Variant } from '../shared/dtypes';
import { isHubHead, type PairManifest } from '../shared/manifest';
import type { Device } from '../shared/wire';
import type { HubClient } from './hub';

/**
 * What a pair will load before anything large is downloaded: the dtype, and for each body repo the
 * variant of that dtype (its graph and external data chunks, with their sizes).
 */
export interface PairPlan {
  dtype: Dtype;
  /** Dtypes every body of the pair has (the picker offers these). */
  available: Dtype[];
  /** Per body repo: every variant found, with sizes. */
  variants: Record<string, Variant[]>;
  /** Per body repo: the variant that loads. */
  chosen: Record<string, Variant>;
}

export interface PlanChoice {
  device: Device;
  shaderF16?: boolean;
  /** The user's dtype (URL `dtype=`, CLI `--dtype`); else the device's preference. */
  dtype?: Dtype;
}

/** The bodies of a pair (one repo when both views come from one model, as PromptEOL). */
export const bodyRepos = (manifest: PairManifest): string[] => [...new Set([manifest.embed.model, manifest.base.model])];

/** Every body of a pair shipped under models/ (or loaded without a plan) as shipped: fp32, weights inside. */
const shippedVariants = (manifest: PairManifest): Record<string, Variant[]> => Object.fromEntries(bodyRepos(manifest).map((r) => [r, [shippedVariant()]]));

/**
 * The variants each body repo has: a Hub pair's found by HEAD requests; a pair under models/ ships
 * fp32 graphs with their weights inside.
 */
export async function probePair(manifest: PairManifest, hub: HubClient): Promise<Record<string, Variant[]>> {
  const repos = bodyRepos(manifest);
  if (!isHubHead(manifest.lmHead)) return shippedVariants(manifest);
  const variants: Record<string, Variant[]> = {};
  for (const repo of repos) {
    variants[repo] = await probeVariants((file) => hub.size(repo, file));
    if (variants[repo].length === 0) {
      throw new Error(`${repo} has no ONNX model under onnx/ (no ${dtypeFile('fp32')}, ${dtypeFile('q8')}, …): it is not an export transformers.js can load.`);
    }
  }
  return variants;
}

/** One dtype for the pair from the variants its repos have (probePair): the one asked for, else the device's preference. */
export function choosePlan(manifest: PairManifest, variants: Record<string, Variant[]>, choice: PlanChoice): PairPlan {
  const repos = bodyRepos(manifest);
  const shipped = shippedVariant().dtype;
  if (!isHubHead(manifest.lmHead) && choice.dtype && choice.dtype !== shipped) {
    throw new Error(`${manifest.id} ships ${shipped} bodies only; no ${choice.dtype} variant.`);
  }
  const available = commonDtypes(repos.map((r) => variants[r]));
  const dtype = chooseDtype(choice.dtype, available, preferredDtypes(choice.device, choice.shaderF16 ?? false), repos.join(' + '));
  const chosen = Object.fromEntries(repos.map((r) => [r, variants[r].find((v) => v.dtype === dtype)!]));
  return { dtype, available, variants, chosen };
}

/** Probes a pair's repos and picks one dtype for it (what resolveLoad.ts does for a load, without the device's fallbacks). */
export async function planPair(manifest: PairManifest, hub: HubClient, choice: PlanChoice): Promise<PairPlan> {
  return choosePlan(manifest, await probePair(manifest, hub), choice);
}

/** The plan of a load given none: every body as a shipped pair's. */
export function shippedPlan(manifest: PairManifest): PairPlan {
  return choosePlan(manifest, shippedVariants(manifest), { device: 'cpu' });
}
