/**
 * Consecutive slices of `items`, each at most `size` long (the last may be shorter), in order.
 * The one batching loop of the project: model runs, analyses and the CLI all walk texts with it.
 */
export function* batchesOf<T>(items: readonly T[], size: number): Generator<T[]> {
  if (!(size >= 1)) throw new RangeError(`batch size must be at least 1, got ${size}`);
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
