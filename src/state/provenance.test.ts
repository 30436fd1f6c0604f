import { describe, expect, it } from 'vitest';
import { staleNote } from './provenance';

const demo = { pairId: 'demo', pairName: 'Demo pair', loadId: 'load-1' };

describe('staleNote', () => {
  it('is undefined for a result of the load the worker holds, and for no result', () => {
    expect(staleNote(demo, { pairId: 'demo', loadId: 'load-1' })).toBeUndefined();
    expect(staleNote(undefined, { pairId: 'demo', loadId: 'load-1' })).toBeUndefined();
  });

  it('names the pair a result of another pair was computed on', () => {
    expect(staleNote(demo, { pairId: 'test-tiny', loadId: 'load-2' })).toBe(
      'Computed on Demo pair, not on the pair now loaded: shown for reference and not applied to it.',
    );
    expect(staleNote(demo, {})).toMatch(/^Computed on Demo pair/);
  });

  it('tells an earlier load of the same pair apart', () => {
    expect(staleNote(demo, { pairId: 'demo', loadId: 'load-3' })).toBe(
      'Computed on an earlier load of Demo pair: shown for reference; run it again to use it.',
    );
  });
});
