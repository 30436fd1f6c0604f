import { describe, expect, it } from 'vitest';
import { loadIndex, saveIndex } from './persist';
import { syntheticCorpus } from './testData';

describe('saved index', () => {
  const { docs } = syntheticCorpus(3, 5);

  it('round-trips through JSON', () => {
    const back = loadIndex(JSON.parse(JSON.stringify(saveIndex('demo', 'abc', docs))), 'demo', 'abc');
    expect(back).toEqual(docs);
  });

  it('refuses another pair build or a foreign file', () => {
    const saved = JSON.parse(JSON.stringify(saveIndex('demo', 'abc', docs)));
    expect(() => loadIndex(saved, 'demo', 'def')).toThrow(/build abc, not "demo" build def: run lens index again/);
    expect(() => loadIndex({ hello: 1 }, 'demo', 'abc')).toThrow(/not a saved index/);
  });
});
