import { describe, expect, it } from 'vitest';
import { noticeText } from './noticeText';

const result = {
  truncated: false,
  droppedChars: 0,
  tokens: [
    { id: 1, text: 'a' },
    { id: 2, text: 'b' },
  ],
  ms: 12.4,
};

describe('noticeText', () => {
  it('says an empty (or blank) text is empty, whatever else is known', () => {
    expect(noticeText({ text: '  \n', computing: true, result: { ...result, truncated: true } })).toBe(
      'The text is empty: type or paste a text to see its aligned tokens.',
    );
  });

  it('names the context length of a truncated text, and the characters never tokenized', () => {
    expect(noticeText({ text: 'x'.repeat(10), computing: false, maxLength: 512, result: { ...result, truncated: true } })).toBe(
      "Long text: only the first 512 tokens (the model's context) were read.",
    );
    expect(noticeText({ text: 'x'.repeat(101_000), computing: true, maxLength: 512, result: { ...result, truncated: true, droppedChars: 1000 } })).toBe(
      `Long text: only the first 512 tokens (the model's context) were read. ${(1000).toLocaleString()} characters beyond ${(100_000).toLocaleString()} were not tokenized.`,
    );
  });

  it('says an update is running, else what the last alignment took', () => {
    expect(noticeText({ text: 'a b', computing: true, result })).toBe('Updating…');
    expect(noticeText({ text: 'a b', computing: false, result })).toBe('2 tokens · 12 ms');
  });

  it('is empty before any alignment', () => {
    expect(noticeText({ text: 'a b', computing: false })).toBe('');
  });
});
