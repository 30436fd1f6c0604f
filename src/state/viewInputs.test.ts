import { describe, expect, it, vi } from 'vitest';

vi.stubGlobal('location', { search: '', pathname: '/', hash: '' });

describe("the other views' inputs in the link", () => {
  it('adds nothing for untouched views, and round-trips changed ones', async () => {
    const { readViewInputs, writeViewInputs } = await import('./viewInputs');
    const { useCompare } = await import('./compareStore');
    const { useRetrieval } = await import('./retrievalStore');
    readViewInputs('');
    expect(writeViewInputs('?text=hi')).toBe('?text=hi');
    useCompare.getState().setSimilarityText(1, 'A cat & a dog.');
    useRetrieval.setState({ query: 'what is λ?' });
    const search = writeViewInputs('?text=hi');
    const params = new URLSearchParams(search);
    expect(params.getAll('sim')[1]).toBe('A cat & a dog.');
    expect(params.get('q')).toBe('what is λ?');
    expect(params.getAll('tpl')).toEqual([]);
    // A link's values replace what the stores hold.
    useCompare.setState({ similarityTexts: ['x', 'y'] });
    readViewInputs(search);
    expect(useCompare.getState().similarityTexts[1]).toBe('A cat & a dog.');
  });
});
