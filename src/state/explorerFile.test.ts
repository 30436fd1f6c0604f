import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW } from '../shared/linkSchema';
import { explorerFile, parseExplorerFile } from './explorerFile';

describe('explorer file', () => {
  const state = { ...DEFAULT_VIEW, text: 'Two dogs 🐕 run.', lambda: 1.25, k: 20 };

  it('round-trips the state, the direction and what was shown', () => {
    const file = explorerFile(state, { direction: { source: 'the 60 texts of STS-B test', u1: [0.6, 0.8], variation: [3, 0.1], shares: [0.9, 0.1] } });
    const back = parseExplorerFile(JSON.stringify(file));
    expect(back.state).toEqual(state);
    expect(back.direction?.u1).toEqual([0.6, 0.8]);
  });

  it('reads a file saved before hub= and dtype= as their defaults', () => {
    const older = Object.fromEntries(Object.entries(state).filter(([key]) => key !== 'hub' && key !== 'dtype'));
    expect(parseExplorerFile(JSON.stringify({ ...explorerFile(state), state: older })).state).toEqual({ ...older, hub: '', dtype: '' });
  });

  it('names what is wrong', () => {
    expect(() => parseExplorerFile('{oops')).toThrow(/not JSON/);
    expect(() => parseExplorerFile('{"format":"other"}')).toThrow(/Not an Embedding Lens explorer file/);
    expect(() => parseExplorerFile(JSON.stringify({ ...explorerFile(state), version: 2 }))).toThrow(/version 2/);
    expect(() => parseExplorerFile(JSON.stringify(explorerFile({ ...state, k: 7 })))).toThrow(/state\.k must be one of 5, 10, 20, 50/);
    expect(() => parseExplorerFile(JSON.stringify(explorerFile({ ...state, lambda: Number.NaN })))).toThrow(/state\.lambda/);
    // Every unusable field at once, each worded as the link schema words it (a file from the e2e suite: no view, no backend).
    const partial = { format: 'embedding-lens/explorer', version: 1, state: { text: 'x', pair: 'demo', lambda: 0, k: 7 } };
    expect(() => parseExplorerFile(JSON.stringify(partial))).toThrow(
      "The explorer file's state.view must be one of explorer, analysis, instructions, similarity, retrieval; state.k must be one of 5, 10, 20, 50; state.backend must be one of auto, webgpu, wasm.",
    );
    const badDirection = { ...explorerFile(state), direction: { source: 'x', u1: ['a'], variation: [1], shares: [1] } };
    expect(() => parseExplorerFile(JSON.stringify(badDirection))).toThrow(/direction/);
  });
});
