import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNICODE, byteLevelBytes, readableBytes, readableSequence, sentencePieceBytes, tokenBytes, tokenEncodingOf } from './tokenBytes';

const bytes = (...b: number[]) => Uint8Array.from(b);
/** A byte string as GPT-2's vocabulary writes it. */
const asEntry = (b: Uint8Array) => Array.from(b, (x) => BYTE_TO_UNICODE[x]).join('');

describe('GPT-2 byte-to-unicode table', () => {
  it('is a bijection onto 256 distinct characters with the known landmarks', () => {
    expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
    expect(BYTE_TO_UNICODE[0x20]).toBe('Ġ'); // space
    expect(BYTE_TO_UNICODE[0x0a]).toBe('Ċ'); // newline
    expect(BYTE_TO_UNICODE[0x00]).toBe('\u0100');
    expect(BYTE_TO_UNICODE[0x41]).toBe('A');
    expect(BYTE_TO_UNICODE[0xad]).toBe('Ń'); // soft hyphen, the one unprintable byte among 0xA1..0xFF
    expect(BYTE_TO_UNICODE[0xe9]).toBe('é');
  });

  it('reads vocabulary entries back to bytes', () => {
    expect(byteLevelBytes('Ġthe')).toEqual(new TextEncoder().encode(' the'));
    expect(byteLevelBytes('âĢĶ')).toEqual(bytes(0xe2, 0x80, 0x94)); // "—"
    expect(byteLevelBytes('<|endoftext|>')).toEqual(new TextEncoder().encode('<|endoftext|>'));
    expect(byteLevelBytes('€')).toBeNull(); // not a byte-level character: an added token
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (b) => {
        expect(byteLevelBytes(asEntry(b))).toEqual(b);
      }),
    );
  });
});

describe('readable tokens', () => {
  it('shows valid UTF-8 as text and partial characters as bytes', () => {
    expect(readableBytes(new TextEncoder().encode(' café'))).toBe(' café');
    expect(readableBytes(bytes(0xe2, 0x80))).toBe('<0xE2><0x80>');
    expect(readableBytes(bytes(0x20, 0x61, 0xf0, 0x9f))).toBe(' a<0xF0><0x9F>');
    expect(readableBytes(bytes(0x98, 0x80, 0x21))).toBe('<0x98><0x80>!');
    expect(readableBytes(bytes(0xc0, 0x80))).toBe('<0xC0><0x80>'); // overlong: never valid
  });

  it('loses nothing and shows no U+FFFD that was not in the bytes', () => {
    const back = (shown: string) =>
      Uint8Array.from(
        shown
          .split(/(<0x[0-9A-F]{2}>)/)
          .flatMap((part) => (/^<0x[0-9A-F]{2}>$/.test(part) ? [Number.parseInt(part.slice(3, 5), 16)] : [...new TextEncoder().encode(part)])),
      );
    // Random bytes, and slices of real UTF-8 text cut anywhere (characters split as a tokenizer splits them).
    const bytesOrCutText = fc.oneof(
      fc.uint8Array({ maxLength: 16 }),
      fc
        .tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.nat(40), fc.nat(40))
        .map(([text, a, b]) => new TextEncoder().encode(text).slice(Math.min(a, b), Math.max(a, b))),
    );
    fc.assert(
      fc.property(bytesOrCutText, (b) => {
        fc.pre(!new TextDecoder().decode(b).includes('<0x'));
        const shown = readableBytes(b);
        expect(back(shown)).toEqual(b);
        const hasLiteralReplacement = Buffer.from(b).includes(Buffer.from([0xef, 0xbf, 0xbd])); // U+FFFD itself, encoded
        if (!hasLiteralReplacement) expect(shown).not.toContain('\uFFFD');
      }),
    );
  });

  it('joins a run of partial tokens into the character they form', () => {
    const emoji = new TextEncoder().encode('😀'); // F0 9F 98 80
    const seq = readableSequence([new TextEncoder().encode(' I'), emoji.slice(0, 2), emoji.slice(2), new TextEncoder().encode('!')], ['', '', '', '']);
    expect(seq.map((t) => t.shown)).toEqual([' I', '<0xF0><0x9F>', '<0x98><0x80>', '!']);
    expect(seq[1].run).toEqual({ length: 2, text: '😀' });
    expect(seq[0].run).toBeUndefined();
    expect(seq[2].run).toBeUndefined();
  });

  it('a run may carry whole characters on its ends; an unfinished character gets no run', () => {
    const seq = readableSequence([bytes(0x20, 0x63, 0x61, 0x66, 0xc3), bytes(0xa9, 0x73), bytes(0xe2, 0x80)], ['', '', '']);
    expect(seq.map((t) => t.shown)).toEqual([' caf<0xC3>', '<0xA9>s', '<0xE2><0x80>']);
    expect(seq[0].run).toEqual({ length: 2, text: ' cafés' });
    expect(seq[2].run).toBeUndefined();
  });

  it('tokens without a byte reading keep their decoded text', () => {
    expect(readableSequence([null, bytes(0x41)], ['[CLS]', 'A']).map((t) => t.shown)).toEqual(['[CLS]', 'A']);
  });
});

describe('vocabulary encodings', () => {
  it('reads the decoder of tokenizer.json', () => {
    expect(tokenEncodingOf({ type: 'ByteLevel', add_prefix_space: true })).toBe('byte-level');
    expect(tokenEncodingOf({ type: 'Sequence', decoders: [{ type: 'Replace' }, { type: 'ByteFallback' }, { type: 'Fuse' }] })).toBe('sentencepiece');
    expect(tokenEncodingOf({ type: 'WordPiece' })).toBe('text');
    expect(tokenEncodingOf(null)).toBe('text');
  });

  it('reads SentencePiece byte-fallback entries', () => {
    expect(sentencePieceBytes('<0xE2>')).toEqual(bytes(0xe2));
    expect(sentencePieceBytes('▁the')).toEqual(new TextEncoder().encode(' the'));
    expect(tokenBytes('##ing', 'text')).toBeNull();
  });
});
