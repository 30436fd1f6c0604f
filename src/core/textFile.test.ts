import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTextFile } from './textFile';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('a dataset file must be text', () => {
  it('UTF-8 text, accents and a byte-order mark included, is decoded as it is', () => {
    expect(decodeTextFile('fr.txt', bytes('\uFEFFun café à Paris\nune crème brûlée\n'))).toBe('un café à Paris\nune crème brûlée\n');
  });
  it('a PNG is refused in one line naming the file and the cause (NUL bytes)', () => {
    const png = readFileSync(new URL('../../e2e/fixtures/gradient.png', import.meta.url));
    const refuse = () => decodeTextFile('gradient.png', new Uint8Array(png));
    expect(refuse).toThrow(/^gradient\.png is not a text file: it contains NUL bytes/);
    try {
      refuse();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
  it('bytes that are mostly not UTF-8 (no NUL among them) are refused with the share', () => {
    const noise = new Uint8Array(4000);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = 0x80 + ((seed >>> 16) % 0x80); // high bytes in random order: almost never valid UTF-8
    }
    expect(() => decodeTextFile('noise.bin', noise)).toThrow(/^noise\.bin is not a text file: \d+% of its characters are not valid UTF-8/);
  });
  it('a few stray Latin-1 bytes in a long UTF-8 text are kept (replaced), not refused', () => {
    const text = `${'plain words and more plain words\n'.repeat(40)}caf\xe9\n`;
    const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(decodeTextFile('mostly.txt', latin1)).toContain('caf\uFFFD');
  });
});
