import { concatBytes } from './bytes';
/**
 * A token's raw bytes, and a readable form of them. Byte-level BPE (GPT-2, Qwen, the demo pair) splits a
 * character of several UTF-8 bytes (an emoji, "—", most CJK) over several tokens; decoding one such token
 * alone gives U+FFFD. Here such a token is shown as its bytes, `<0xE2><0x80>`, and a run of tokens that
 * together form characters also gets the decoded text.
 */

/**
 * GPT-2's byte-to-unicode table: byte b is written in a vocabulary entry as this character. Printable
 * Latin-1 bytes stand for themselves; the other 68 bytes map, in order, to U+0100 onwards.
 */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const table: string[] = new Array(256);
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable(b) ? b : 256 + next++);
  return table;
})();

const UNICODE_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_UNICODE.map((ch, b) => [ch, b]));

/** The bytes a byte-level BPE vocabulary entry stands for, or null when it is not one (an added or special token). */
export function byteLevelBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = UNICODE_TO_BYTE.get(token[i]);
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}

const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;

/** The bytes of a SentencePiece-style entry: `<0xE2>` is one byte (byte fallback), `▁` a space. */
export function sentencePieceBytes(token: string): Uint8Array {
  const byte = BYTE_FALLBACK.exec(token);
  if (byte) return Uint8Array.of(Number.parseInt(byte[1], 16));
  return new TextEncoder().encode(token.replaceAll('▁', ' '));
}

/** How a tokenizer writes bytes in its vocabulary, from its tokenizer.json `decoder`. */
export type TokenEncoding = 'byte-level' | 'sentencepiece' | 'text';

export function tokenEncodingOf(decoder: unknown): TokenEncoding {
  const types: string[] = [];
  const walk = (d: unknown) => {
    if (!d || typeof d !== 'object') return;
    const { type, decoders } = d as { type?: unknown; decoders?: unknown };
    if (typeof type === 'string') types.push(type);
    if (Array.isArray(decoders)) decoders.forEach(walk);
  };
  walk(decoder);
  if (types.includes('ByteLevel')) return 'byte-level';
  if (types.includes('ByteFallback') || types.includes('Metaspace')) return 'sentencepiece';
  return 'text';
}

/** A vocabulary entry's bytes; null when the entry has no byte reading (then its decoded text is shown as is). */
export function tokenBytes(token: string, encoding: TokenEncoding): Uint8Array | null {
  if (encoding === 'byte-level') return byteLevelBytes(token);
  if (encoding === 'sentencepiece') return sentencePieceBytes(token);
  return null;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes` if they are valid UTF-8, else null. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

const hexByte = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Length of the UTF-8 sequence a lead byte starts (0 for a byte that cannot start one). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * `bytes` made readable: every complete, valid character as itself, every other byte as `<0xNN>`.
 * A token that is valid UTF-8 on its own reads exactly as its decoded text.
 */
export function readableBytes(bytes: Uint8Array): string {
  const whole = utf8OrNull(bytes);
  if (whole !== null) return whole;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i]);
    const char = n > 0 && i + n <= bytes.length ? utf8OrNull(bytes.subarray(i, i + n)) : null;
    if (char !== null) {
      out += char;
      i += n;
    } else {
      out += hexByte(bytes[i]);
      i += 1;
    }
  }
  return out;
}

/** One token of a sequence made readable. */
export interface ReadableToken {
  /** The token alone: its text, or its bytes where they are not valid UTF-8 on their own. */
  shown: string;
  /**
   * On a token that is not valid UTF-8 alone, when it and the next few tokens together are: how many
   * tokens the run spans and the text they decode to (a run may carry whole characters at its ends).
   */
  run?: { length: number; text: string };
}

/** The longest run of tokens tried when joining partial characters (a character is at most 4 bytes). */
const MAX_RUN = 8;

/**
 * A sequence of tokens (each a byte array, or null for a token without a byte reading, whose decoded text
 * is in `fallback`) made readable, with runs of partial tokens joined into the characters they form.
 */
export function readableSequence(bytes: readonly (Uint8Array | null)[], fallback: readonly string[]): ReadableToken[] {
  const out: ReadableToken[] = bytes.map((b, i) => ({ shown: b ? readableBytes(b) : fallback[i] }));
  const valid = bytes.map((b) => b === null || utf8OrNull(b) !== null);
  for (let i = 0; i < bytes.length; i++) {
    if (valid[i]) continue;
    for (let j = i + 1; j < Math.min(bytes.length, i + MAX_RUN); j++) {
      if (bytes[j] === null) break;
      const text = utf8OrNull(concatBytes(bytes.slice(i, j + 1) as Uint8Array[]));
      if (text !== null) {
        out[i].run = { length: j - i + 1, text };
        i = j;
        break;
      }
    }
  }
  return out;
}
