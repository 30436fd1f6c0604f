import { chooseDtype, commonDtypes, type Dtype, dtypeFile, preferredDtypes, probeVariants, type Variant } from '../shared/dtypes';
import { isHubHead, type PairManifest } from '../shared/manifest';
import type { HubClient } from './hub';

/**
 * What a pair will load before anything large is downloaded: the dtype, and for
 * each body repo the files of that variant (graph + external data chunks).
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
  device: 'wasm' | 'webgpu' | 'cpu';
  shaderF16?: boolean;
  /** The user's dtype (URL `dtype=`, CLI `--dtype`); else the backend's preference. */
  dtype?: Dtype;
}

/** The bodies of a pair (one repo when both views come from one model, as PromptEOL). */
export const bodyRepos = (manifest: PairManifest): string[] => [...new Set([manifest.embed.model, manifest.base.model])];

/**
 * Finds the variants each Hub body repo has (HEAD requests) and picks one dtype
 * for the pair. Pairs under models/ ship fp32 graphs with their weights inside.
 */
export async function planPair(manifest: PairManifest, hub: HubClient, choice: PlanChoice): Promise<PairPlan> {
  const repos = bodyRepos(manifest);
  if (!isHubHead(manifest.lmHead)) {
    if (choice.dtype && choice.dtype !== 'fp32') throw new Error(`${manifest.id} ships fp32 bodies only; no ${choice.dtype} variant.`);
    const local: Variant = { dtype: 'fp32', files: [], bytes: 0, externalChunks: 0 };
    return {
      dtype: 'fp32',
      available: ['fp32'],
      variants: Object.fromEntries(repos.map((r) => [r, [local]])),
      chosen: Object.fromEntries(repos.map((r) => [r, local])),
    };
  }
  const variants: Record<string, Variant[]> = {};
  for (const repo of repos) {
    variants[repo] = await probeVariants((file) => hub.size(repo, file));
    if (variants[repo].length === 0) {
      throw new Error(`${repo} has no ONNX model under onnx/ (no ${dtypeFile('fp32')}, ${dtypeFile('q8')}, …): it is not an export transformers.js can load.`);
    }
  }
  const available = commonDtypes(Object.values(variants));
  const dtype = chooseDtype(choice.dtype, available, preferredDtypes(choice.device, choice.shaderF16 ?? false), repos.join(' + '));
  const chosen = Object.fromEntries(repos.map((r) => [r, variants[r].find((v) => v.dtype === dtype)!]));
  return { dtype, available, variants, chosen };
}
