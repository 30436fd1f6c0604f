import { describe, expect, it } from 'vitest';
import type { ReadyDirection } from '../../worker/protocol';
import { directionLabel } from './directionLabel';

const ready: Omit<ReadyDirection, 'source'> = { state: 'ready', variation: [2, 0.5], shares: [0.7, 0.1], sampleSize: 200 };

describe('directionLabel: where u₁ and v₁ come from, from the direction the worker sent', () => {
  it('names the sample, a file and an analysis, and says what an earlier visit kept', () => {
    expect(directionLabel({ ...ready, source: 'shipped' })).toBe('200 sample sentences');
    expect(directionLabel({ ...ready, source: 'sample', kept: true })).toBe('200 sample sentences (kept from an earlier visit)');
    expect(directionLabel({ ...ready, source: 'file', origin: 'pair.json' })).toBe('the spectrum file pair.json (200 sample sentences)');
    expect(directionLabel({ ...ready, source: 'file', origin: 'pair.json', kept: true })).toBe(
      'the spectrum file pair.json (200 sample sentences, kept from an earlier visit)',
    );
    expect(directionLabel({ ...ready, source: 'analysis', origin: 'the 60 texts of STS-B test', sampleSize: 60 })).toBe('the 60 texts of STS-B test');
  });
});
