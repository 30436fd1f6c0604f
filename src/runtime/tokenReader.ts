import { type ReadableToken, readableBytes, readableSequence, type TokenEncoding, tokenBytes, tokenEncodingOf } from '../core/tokenBytes';

/** What TokenReader needs of a transformers.js tokenizer. */
export interface VocabularyTokenizer {
  get_vocab(): Map<string, number>;
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  all_special_ids?: number[];
  _tokenizerJSON?: { decoder?: unknown };
}

/**
 * Tokens as people can read them, shared by the app and the CLI: a token that is not valid UTF-8 on its
 * own (a piece of an emoji under byte-level BPE) reads as its bytes, `<0xF0><0x9F>`, not as U+FFFD;
 * a run of such tokens also gets the character it forms (core/tokenBytes.ts).
 */
export class TokenReader {
  private entries?: string[];
  private readonly special: Set<number>;
  private readonly encoding: TokenEncoding;
  private readonly shownCache = new Map<number, string>();

  constructor(private readonly tokenizer: VocabularyTokenizer) {
    this.encoding = tokenEncodingOf(tokenizer._tokenizerJSON?.decoder);
    this.special = new Set(tokenizer.all_special_ids ?? []);
  }

  /** The text of one token as the tokenizer decodes it alone (U+FFFD where it holds part of a character). */
  decoded(id: number): string {
    return this.tokenizer.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** The token's bytes, or null for a special token or a vocabulary without a byte reading. */
  bytes(id: number): Uint8Array | null {
    if (this.encoding === 'text' || this.special.has(id)) return null;
    this.entries ??= invert(this.tokenizer.get_vocab());
    const entry = this.entries[id];
    return entry === undefined ? null : tokenBytes(entry, this.encoding);
  }

  /** One token made readable. */
  shown(id: number): string {
    let text = this.shownCache.get(id);
    if (text === undefined) {
      const bytes = this.bytes(id);
      text = bytes ? readableBytes(bytes) : this.decoded(id);
      this.shownCache.set(id, text);
    }
    return text;
  }

  /**
   * A special token (`<|endoftext|>`), a token that is only a piece of a character (`<0xBB>`, or U+FFFD
   * where the vocabulary has no byte reading) or only control characters (`<0x08>`): what the token filter
   * hides from the lists people read.
   */
  isNoise(id: number): boolean {
    if (this.special.has(id)) return true;
    const shown = this.shown(id);
    return BYTES_ONLY.test(shown) || REPLACEMENT_ONLY.test(shown) || CONTROLS_ONLY.test(shown);
  }

  /** A text's tokens in order, made readable, with runs of partial tokens joined into characters. */
  sequence(ids: readonly number[]): ReadableToken[] {
    return readableSequence(
      ids.map((id) => this.bytes(id)),
      ids.map((id) => (this.bytes(id) ? '' : this.decoded(id))),
    );
  }
}

const BYTES_ONLY = /^(?:<0x[0-9A-Fa-f]{2}>)+$/;
const REPLACEMENT_ONLY = /^\uFFFD+$/;
/** Control characters other than tab and line breaks (the single-byte tokens 0x00–0x1F, 0x7F): the UI shows them as `<0xNN>`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROLS_ONLY = /^[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$/;

function invert(vocab: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [entry, id] of vocab) out[id] = entry;
  return out;
}
