import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchesOf } from './batches';

describe('batchesOf', () => {
  it('slices in order, every slice full but the last', () => {
    expect([...batchesOf([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...batchesOf([], 3)]).toEqual([]);
  });

  it('concatenates back to the input for any size', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const batches = [...batchesOf(items, size)];
        expect(batches.flat()).toEqual(items);
        expect(batches.every((b, i) => b.length === size || (i === batches.length - 1 && b.length > 0))).toBe(true);
      }),
    );
  });

  it('refuses a size that would never end', () => {
    expect(() => [...batchesOf([1], 0)]).toThrow(RangeError);
  });
});
