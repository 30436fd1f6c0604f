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

  it("the templates follow the loaded pair's defaults; the user's own (typed or linked) stay, in the link", async () => {
    const { readViewInputs, writeViewInputs } = await import('./viewInputs');
    const { useCompare } = await import('./compareStore');
    const { defaultInstructions } = await import('../shared/instructions');
    const { QWEN3_QUERY_TEMPLATE } = await import('../shared/catalog');
    readViewInputs('');
    const tpl = () => new URLSearchParams(writeViewInputs('')).getAll('tpl');
    const compare = useCompare.getState;
    // A pair with Qwen3's template loads: its defaults, not in the link.
    compare().followPair(QWEN3_QUERY_TEMPLATE);
    expect(compare().templates).toEqual(defaultInstructions(QWEN3_QUERY_TEMPLATE));
    expect(tpl()).toEqual([]);
    // The demo pair (no template) loads: plain defaults replace them.
    compare().followPair('{text}');
    expect(compare().templates).toEqual(defaultInstructions('{text}'));
    expect(compare().templates.join()).not.toContain('Instruct:');
    expect(tpl()).toEqual([]);
    // An edit goes into the link and survives a pair switch; typing the default back takes it out.
    compare().setTemplate(2, 'Topic: {text}');
    expect(tpl()).toEqual(['{text}', 'Summarize: {text}', 'Topic: {text}']);
    compare().followPair(QWEN3_QUERY_TEMPLATE);
    expect(compare().templates[2]).toBe('Topic: {text}');
    compare().followPair('{text}');
    compare().setTemplate(2, defaultInstructions('{text}')[2]);
    expect(tpl()).toEqual([]);
    // A link's templates stay even when they are another pair's defaults (judged against the loaded pair's).
    readViewInputs(`?${new URLSearchParams(defaultInstructions('{text}').map((t) => ['tpl', t]))}`);
    compare().followPair(QWEN3_QUERY_TEMPLATE);
    expect(compare().templates).toEqual(defaultInstructions('{text}'));
    expect(tpl()).toEqual(defaultInstructions('{text}'));
    compare().resetTemplates();
    expect(compare().templates).toEqual(defaultInstructions(QWEN3_QUERY_TEMPLATE));
    expect(tpl()).toEqual([]);
  });
});
