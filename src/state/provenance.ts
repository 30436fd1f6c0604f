import type { PairInfo } from '../worker/protocol';
import { useLens } from './store';

/**
 * The pair, and the load of it, a result was computed on. Results are kept when
 * the pair changes, but only shown as "computed on …": nothing computed on one
 * load is applied to another (another pair, or a fresh worker that has dropped
 * what the first one built, such as a retrieval index).
 */
export interface Provenance {
  pairId: string;
  pairName: string;
  loadId: string;
}

export function provenanceOf(info: PairInfo): Provenance {
  return { pairId: info.id, pairName: info.name, loadId: info.loadId };
}

/** The loaded pair's provenance, for a result about to be computed (undefined while no pair is ready). */
export function currentProvenance(): Provenance | undefined {
  const { load, pairInfo } = useLens.getState();
  return load.phase === 'ready' && pairInfo ? provenanceOf(pairInfo) : undefined;
}

/** Whether a result was computed on the pair and load the worker holds now. */
export function isCurrent(provenance: Provenance | undefined): boolean {
  return provenance !== undefined && provenance.loadId === useLens.getState().pairInfo?.loadId;
}

/**
 * Why a result is not the current pair's, in words ("computed on …"), or undefined
 * when it is. `loaded` is the pair the worker holds (while another loads, the previous one).
 */
export function staleNote(provenance: Provenance | undefined, loaded: { pairId?: string; loadId?: string }): string | undefined {
  if (!provenance || provenance.loadId === loaded.loadId) return undefined;
  if (provenance.pairId === loaded.pairId) {
    return `Computed on an earlier load of ${provenance.pairName}: shown for reference; run it again to use it.`;
  }
  return `Computed on ${provenance.pairName}, not on the pair now loaded: shown for reference and not applied to it.`;
}

/** Hook: the stale note for a result, following the pair the worker holds. */
export function useStaleNote(provenance: Provenance | undefined): string | undefined {
  const pairId = useLens((s) => s.pairInfo?.id);
  const loadId = useLens((s) => s.pairInfo?.loadId);
  return staleNote(provenance, { pairId, loadId });
}
