import { describe, expect, it } from 'vitest';
import { Bm25Index, englishWords } from './bm25';

const DOCS = [
  'The cat sat on the mat.',
  'Dogs are loyal animals, and dogs love walks.',
  'A quick guide to caring for cats and kittens.',
  'Stock markets fell sharply on Monday.',
];

describe('BM25 baseline (wink-bm25-text-search)', () => {
  it('analyzes English words: lower case, no stop words, stemmed, Unicode letters kept', () => {
    expect(englishWords('The Cats were RUNNING to the café!')).toEqual(['cat', 'run', 'café']);
  });

  it('ranks documents sharing rarer query terms first and explains the match', () => {
    const index = new Bm25Index(englishWords);
    for (const d of DOCS) index.add(d);
    index.finish();
    const hits = index.search('caring for my cat', 10);
    expect(hits[0].doc).toBe(2);
    expect(hits.map((h) => h.doc)).toContain(0);
    expect(hits.map((h) => h.doc)).not.toContain(3);
    expect(index.explain(2, 'caring for my cat')).toEqual([
      { term: 'care', count: 1 },
      { term: 'cat', count: 1 },
    ]);
    expect(index.postingsVisited('caring for my cat')).toBe(3);
  });

  it('scores ties deterministically and refuses tiny corpora with a clear message', () => {
    const index = new Bm25Index((t) => t.split(' '));
    for (const d of ['a b', 'a b', 'c d']) index.add(d);
    index.finish();
    expect(index.search('a', 10).map((h) => h.doc)).toEqual([0, 1]);
    const small = new Bm25Index(englishWords);
    small.add('one');
    expect(() => small.finish()).toThrow(/at least 3 documents/);
  });
});
