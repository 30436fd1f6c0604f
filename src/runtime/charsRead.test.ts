import { describe, expect, it } from 'vitest';
import { charsRead } from './charsRead';

/** A word tokenizer with a 5-token context: each run of non-spaces with the space before it is one token. */
const tokenizeWords = (text: string) => {
  const words = text.match(/\s*\S+/g) ?? [];
  const ids = words.map((w) => w.trim().length * 100 + w.trim().charCodeAt(0));
  return { ids: ids.slice(0, 5), truncated: ids.length > 5 };
};

describe('charsRead', () => {
  it('keeps a text the model reads whole', () => {
    expect(charsRead(tokenizeWords, 'one two three')).toBe(13);
  });

  it('cuts a long text right after its last token read, never inside it', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta';
    const n = charsRead(tokenizeWords, text);
    expect(text.slice(0, n)).toBe('alpha beta gamma delta epsilon');
    expect(tokenizeWords(text.slice(0, n)).ids).toEqual(tokenizeWords(text).ids);
  });

  it('finds the cut in a very long text', () => {
    const text = `${'word '.repeat(4)}last${' more'.repeat(20_000)}`;
    expect(charsRead(tokenizeWords, text)).toBe('word word word word last'.length);
  });

  it('does not split a surrogate pair', () => {
    // One token per character (code unit), the emoji's two halves two tokens.
    const units = (text: string) => ({ ids: Array.from(text, (c) => c.charCodeAt(0)).slice(0, 5), truncated: text.length > 5 });
    const text = 'abcd😀efgh';
    expect(charsRead(units, text)).toBe(6);
  });
});
