import { AutoTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { localModelReader } from './node';
import { TokenReader, type VocabularyTokenizer } from './tokenReader';

// The demo pair's real byte-level BPE tokenizer (models/demo/embed).
let tokenizer: VocabularyTokenizer & { encode(text: string, options?: { add_special_tokens?: boolean }): number[] };
let reader: TokenReader;

beforeAll(async () => {
  localModelReader();
  tokenizer = (await AutoTokenizer.from_pretrained('demo/embed')) as unknown as typeof tokenizer;
  reader = new TokenReader(tokenizer);
});

describe('TokenReader on the demo tokenizer', () => {
  it('reads every token as the tokenizer decodes it where that is valid, and never as U+FFFD', () => {
    const size = tokenizer.get_vocab().size;
    let partial = 0;
    for (let id = 0; id < size; id++) {
      const decoded = reader.decoded(id);
      const shown = reader.shown(id);
      expect(shown).not.toContain('\uFFFD');
      if (decoded.includes('\uFFFD')) {
        partial++;
        expect(shown).toMatch(/<0x[0-9A-F]{2}>/);
      } else expect(shown).toBe(decoded);
    }
    expect(partial).toBeGreaterThan(0); // the 128 bytes 0x80..0xFF alone at least
  });

  it("joins an emoji's pieces back into the emoji", () => {
    const ids = tokenizer.encode('I ❤️ 🎸', { add_special_tokens: false });
    const seq = reader.sequence(ids);
    expect(seq.map((t) => t.shown).join('')).not.toContain('\uFFFD');
    const runs = seq.filter((t) => t.run).map((t) => t.run!.text);
    expect(runs.join('')).toContain('🎸');
    // Shown pieces and runs together spell the text, with the space the demo tokenizer puts before a
    // text (ByteLevel add_prefix_space: its first word is the same " word" token as mid-sentence).
    let text = '';
    for (let i = 0; i < seq.length; i++) {
      const run = seq[i].run;
      if (run) {
        text += run.text;
        i += run.length - 1;
      } else text += seq[i].shown;
    }
    expect(text).toBe(' I ❤️ 🎸');
  });

  it('shows a special token as its name', () => {
    const eos = tokenizer.get_vocab().get('<|endoftext|>')!;
    expect(reader.shown(eos)).toBe('<|endoftext|>');
  });

  it('calls noise the special tokens and the tokens that are only pieces of a character, nothing else', () => {
    const vocab = tokenizer.get_vocab();
    expect(reader.isNoise(vocab.get('<|endoftext|>')!)).toBe(true);
    const [guitar] = tokenizer.encode(' guitar', { add_special_tokens: false });
    expect(reader.isNoise(guitar)).toBe(false);
    // Independently of isNoise: a token whose decoding alone is broken UTF-8 (U+FFFD) is a piece of a character.
    let pieces = 0;
    for (let id = 0; id < vocab.size; id++) {
      const broken = reader.decoded(id).includes('\uFFFD');
      if (broken) pieces++;
      const controls =
        [...reader.decoded(id)].every((c) => (c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c)) || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f)) &&
        reader.decoded(id).length > 0;
      const pieceOnly = broken && /^(<0x[0-9A-F]{2}>)+$/.test(reader.shown(id));
      if (!(tokenizer.all_special_ids ?? []).includes(id)) expect(reader.isNoise(id), `id ${id}`).toBe(pieceOnly || controls);
    }
    expect(pieces).toBeGreaterThanOrEqual(128);
  });
});
