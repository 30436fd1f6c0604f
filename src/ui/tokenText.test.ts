import { describe, expect, it } from 'vitest';
import { displayToken, textDirection } from './tokenText';

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

describe('textDirection', () => {
  it('reads a Hebrew or Arabic text right to left, by its first letter', () => {
    expect(textDirection('القط يجلس على السجادة')).toBe('rtl');
    expect(textDirection('  “שלום” world')).toBe('rtl');
    expect(textDirection('123 — مرحبا')).toBe('rtl');
  });
  it('reads Latin, CJK, digits only and empty text left to right', () => {
    expect(textDirection('hello مرحبا')).toBe('ltr');
    expect(textDirection('日本語')).toBe('ltr');
    expect(textDirection('42 ✓')).toBe('ltr');
    expect(textDirection('')).toBe('ltr');
  });
});
