import { deflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tokenBarsFigure } from './charts';
import { figureSvg } from './figure';
import { crc32, pngChunks, pngText, withPngMetadata } from './pngText';

/** A valid 1×1 RGBA PNG built by hand (zlib from Node). */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlibCrc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from([0, 10, 20, 30, 255]))),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('PNG metadata', () => {
  it('crc32 agrees with zlib', () => {
    const bytes = new TextEncoder().encode('Embedding Lens λ');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('adds pHYs at 300 dpi and text chunks after IHDR, before the image data, and reads them back', () => {
    const out = withPngMetadata(tinyPng(), { Pair: 'demo', Text: 'A café 🎸', Lambda: '1.25' }, 300);
    const chunks = pngChunks(out);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'pHYs', 'tEXt', 'iTXt', 'tEXt', 'IDAT', 'IEND']);
    const phys = new DataView(chunks[1].data.buffer, chunks[1].data.byteOffset);
    expect(phys.getUint32(0)).toBe(11811); // 300 dpi in pixels per metre
    expect(pngText(out)).toEqual({ Pair: 'demo', Text: 'A café 🎸', Lambda: '1.25' });
    // Every chunk's CRC is right (checked with zlib's).
    const view = new DataView(out.buffer);
    for (let at = 8; at < out.length; ) {
      const length = view.getUint32(at);
      expect(view.getUint32(at + 8 + length)).toBe(zlibCrc32(out.subarray(at + 4, at + 8 + length)));
      at += 12 + length;
    }
  });

  it('refuses what is not a PNG', () => {
    expect(() => withPngMetadata(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), {})).toThrow('not a PNG');
  });
});

describe('figure SVG', () => {
  it('escapes the text and keeps the pair, text and λ in title, desc and metadata', () => {
    const svg = figureSvg(
      tokenBarsFigure(
        [
          { id: 1, text: ' <b>&' },
          { id: 2, text: '\u0000' },
        ],
        [2, -1],
        new Set([1]),
        { chart: 'Top aligned tokens: base model', pair: 'demo', text: 'x < y & "z"', lambda: 0.5 },
      ),
    );
    expect(svg).toContain('<title id="title">Top aligned tokens: base model</title>');
    expect(svg).toContain('␣&lt;b&gt;&amp;');
    expect(svg).toContain('&lt;0x00&gt;');
    expect(svg).not.toContain('\u0000');
    const metadata = /<metadata id="embedding-lens">(.*)<\/metadata>/.exec(svg)![1];
    const json = JSON.parse(
      metadata
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    );
    expect(json).toMatchObject({ pair: 'demo', text: 'x < y & "z"', lambda: 0.5 });
  });
});
