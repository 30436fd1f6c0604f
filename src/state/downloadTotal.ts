import type { FileProgress, PlannedFiles } from '../worker/protocol';

/** What the loading panel says of a load's bytes: how many have arrived, of how many, and whether that total is the whole. */
export interface DownloadTotal {
  loaded: number;
  total: number;
  /** False: some file's size is not known yet, or not every file is known; `total` is then a floor ("at least"). */
  exact: boolean;
}

/**
 * The load's total: every file it reads, each counted once at its size — the size its download reported, else
 * the size HEAD gave before the load (`planned`), else the bytes seen so far (a floor). A finished file keeps
 * its size. A Hub pair's estimate (its bodies and W, sized by HEAD) raises the floor before those files start.
 */
export function downloadTotal(files: Record<string, FileProgress>, planned?: PlannedFiles, estimateBytes = 0): DownloadTotal {
  const sizes = new Map<string, number | undefined>((planned?.files ?? []).map((f) => [f.file, f.bytes]));
  let exact = planned?.complete ?? false;
  let loaded = 0;
  let floors = 0;
  for (const f of Object.values(files)) {
    if (!sizes.has(f.file)) exact = false; // a file the plan did not list
    const size = f.total || sizes.get(f.file);
    sizes.set(f.file, size);
    if (size === undefined) floors += f.loaded;
    loaded += f.done ? (size ?? f.loaded) : f.loaded;
  }
  let total = floors;
  for (const size of sizes.values()) {
    if (size === undefined) exact = false;
    else total += size;
  }
  if (!exact && estimateBytes > total) total = estimateBytes;
  return { loaded: Math.min(loaded, total), total, exact };
}
