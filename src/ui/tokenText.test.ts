import { describe, expect, it } from 'vitest';
import { displayToken } from './tokenText';

describe('displayToken', () => {
  it('makes spaces, breaks, tabs and control characters visible', () => {
    expect(displayToken(' the')).toBe('␣the');
    expect(displayToken('\n\n')).toBe('⏎⏎');
    expect(displayToken('\t')).toBe('⇥');
    expect(displayToken('\u0000')).toBe('<0x00>');
    expect(displayToken('a\u001Bb\u007F')).toBe('a<0x1B>b<0x7F>');
    expect(displayToken('')).toBe('∅');
  });
});
