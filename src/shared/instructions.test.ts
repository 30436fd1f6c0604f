import { describe, expect, it } from 'vitest';
import { QWEN3_QUERY_TEMPLATE } from './catalog';
import { defaultInstructions } from './instructions';
import { PROMPT_EOL_TEMPLATE } from './manifest';

describe("the Instructions view's defaults follow the pair's template", () => {
  it('a pair without a template (the demo pair) gets plain prefixes, nothing of Qwen3', () => {
    for (const template of [undefined, '{text}']) {
      const defaults = defaultInstructions(template);
      expect(defaults).toEqual(['{text}', 'Summarize: {text}', 'Keywords of: {text}']);
    }
  });

  it("Qwen3-Embedding's pair gets instructions in its own format, its own query task first", () => {
    const defaults = defaultInstructions(QWEN3_QUERY_TEMPLATE);
    expect(defaults[0]).toBe(QWEN3_QUERY_TEMPLATE);
    expect(defaults).toHaveLength(3);
    expect(new Set(defaults).size).toBe(3);
    for (const t of defaults) expect(t).toMatch(/^Instruct: [^\n]+\nQuery:\{text\}$/);
  });

  it('PromptEOL gets PromptEOL prompts, and any other template wraps the plain prefixes', () => {
    const eol = defaultInstructions(PROMPT_EOL_TEMPLATE);
    expect(eol[0]).toBe(PROMPT_EOL_TEMPLATE);
    for (const t of eol) expect(t).toMatch(/^This sentence : "\{text\}" .* in one word:"$/);
    expect(defaultInstructions('query: {text}')).toEqual(['query: {text}', 'query: Summarize: {text}', 'query: Keywords of: {text}']);
  });

  it('every default has the {text} placeholder', () => {
    for (const template of [undefined, QWEN3_QUERY_TEMPLATE, PROMPT_EOL_TEMPLATE, '<s>{text}</s>']) {
      for (const t of defaultInstructions(template)) expect(t).toContain('{text}');
    }
  });
});
