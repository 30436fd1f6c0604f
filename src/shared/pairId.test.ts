import { describe, expect, it } from 'vitest';
import { formatPairId, parsePairId } from './pairId';

describe('pair ids', () => {
  it('round-trips catalog, PromptEOL and custom Hub pairs (templates may hold ; and quotes)', () => {
    for (const id of ['demo', 'eol:HuggingFaceTB/SmolLM2-135M', 'hub:a/embed;b/base;last', 'hub:a/e;b/b;mean;Instruct: x; y\nQuery: "{text}"']) {
      expect(formatPairId(parsePairId(id))).toBe(id);
    }
    expect(parsePairId('hub:a/e;b/b;mean;T {text}')).toEqual({ kind: 'custom', spec: { embed: 'a/e', base: 'b/b', pooling: 'mean', template: 'T {text}' } });
  });
  it('names what is wrong with a malformed custom pair', () => {
    expect(() => parsePairId('hub:a/e;b/b;max')).toThrow(/expected hub:<embed id>;<base id>;<last\|mean\|weighted-mean>/);
  });
});
