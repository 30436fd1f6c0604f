import { describe, expect, it } from 'vitest';
import { readDisplay, writeDisplay } from './displayStore';

describe('display settings in a link', () => {
  it('defaults to content metrics with byte and special tokens hidden, and writes nothing for them', () => {
    expect(readDisplay('')).toEqual({ metrics: 'content', hideNoise: true });
    expect(writeDisplay('?k=20', { metrics: 'content', hideNoise: true })).toBe('?k=20');
  });

  it('round-trips the paper’s plain metrics and the unfiltered lists, and ignores unknown values', () => {
    const search = writeDisplay('?k=20', { metrics: 'all', hideNoise: false });
    expect(search).toBe('?k=20&metrics=all&tokens=all');
    expect(readDisplay(search)).toEqual({ metrics: 'all', hideNoise: false });
    expect(readDisplay('?metrics=nope&tokens=some')).toEqual({ metrics: 'content', hideNoise: true });
  });
});
