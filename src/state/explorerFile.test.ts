import { describe, expect, it } from 'vitest';
import { explorerFile, parseExplorerFile } from './explorerFile';
import { DEFAULT_VIEW } from './urlState';

describe('explorer file', () => {
  const state = { ...DEFAULT_VIEW, text: 'Two dogs 🐕 run.', lambda: 1.25, k: 20 };

  it('round-trips the state, the direction and what was shown', () => {
    const file = explorerFile(state, { direction: { source: 'the 60 texts of STS-B test', u1: [0.6, 0.8], variation: [3, 0.1], shares: [0.9, 0.1] } });
    const back = parseExplorerFile(JSON.stringify(file));
    expect(back.state).toEqual(state);
    expect(back.direction?.u1).toEqual([0.6, 0.8]);
  });

  it('names what is wrong', () => {
    expect(() => parseExplorerFile('{oops')).toThrow(/not JSON/);
    expect(() => parseExplorerFile('{"format":"other"}')).toThrow(/Not an Embedding Lens explorer file/);
    expect(() => parseExplorerFile(JSON.stringify({ ...explorerFile(state), version: 2 }))).toThrow(/version 2/);
    expect(() => parseExplorerFile(JSON.stringify(explorerFile({ ...state, k: 7 })))).toThrow(/state\.k must be one of 5, 10, 20, 50/);
    expect(() => parseExplorerFile(JSON.stringify(explorerFile({ ...state, lambda: Number.NaN })))).toThrow(/state\.lambda/);
    const badDirection = { ...explorerFile(state), direction: { source: 'x', u1: ['a'], variation: [1], shares: [1] } };
    expect(() => parseExplorerFile(JSON.stringify(badDirection))).toThrow(/direction/);
  });
});
