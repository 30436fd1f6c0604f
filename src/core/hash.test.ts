import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textsFingerprint } from './hash';

describe('textsFingerprint', () => {
  it('is the same for the same texts, and tells apart a changed text, order or split', () => {
    const sample = ['A man is playing a guitar.', 'A woman is slicing an onion.'];
    expect(textsFingerprint([...sample])).toBe(textsFingerprint(sample));
    expect(textsFingerprint(['A man is playing a guitar!', sample[1]])).not.toBe(textsFingerprint(sample));
    expect(textsFingerprint([...sample].reverse())).not.toBe(textsFingerprint(sample));
    expect(textsFingerprint(['ab', 'c'])).not.toBe(textsFingerprint(['a', 'bc']));
    expect(textsFingerprint([])).not.toBe(textsFingerprint(['']));
  });

  it('rarely collides on random samples', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.array(fc.string(), { maxLength: 4 }), { minLength: 50, maxLength: 50, selector: (a) => JSON.stringify(a) }), (samples) => {
        expect(new Set(samples.map(textsFingerprint)).size).toBe(samples.length);
      }),
      { numRuns: 20 },
    );
  });
});
