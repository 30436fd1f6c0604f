import { concatBytes } from '../../core/bytes';

/**
 * Adds metadata to a PNG: text chunks (tEXt where the value is Latin-1, else iTXt in UTF-8) and a pHYs
 * chunk that tells print software the image's resolution. Pure and synchronous, so Node tests run it.
 * Hand-written (CRC-32 plus a chunk writer, ~60 lines): the npm packages for PNG chunks are unmaintained.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const isLatin1 = (s: string) => [...s].every((ch) => ch.charCodeAt(0) <= 0xff);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function textChunk(keyword: string, value: string): Uint8Array {
  if (isLatin1(value)) return chunk('tEXt', concatBytes([latin1(keyword), Uint8Array.of(0), latin1(value)]));
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, UTF-8 text.
  return chunk('iTXt', concatBytes([latin1(keyword), Uint8Array.of(0, 0, 0, 0, 0), new TextEncoder().encode(value)]));
}

function physChunk(dpi: number): Uint8Array {
  const data = new Uint8Array(9);
  const perMetre = Math.round(dpi / 0.0254);
  const view = new DataView(data.buffer);
  view.setUint32(0, perMetre);
  view.setUint32(4, perMetre);
  data[8] = 1; // unit: metre
  return chunk('pHYs', data);
}

/** The chunks of a PNG, in order (type and data). */
export function pngChunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  if (!SIGNATURE.every((b, i) => png[i] === b)) throw new Error('not a PNG file');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

/** `png` with `text` as tEXt/iTXt chunks and, if given, a pHYs chunk for `dpi` (replacing any there). */
export function withPngMetadata(png: Uint8Array, text: Record<string, string>, dpi?: number): Uint8Array {
  const chunks = pngChunks(png);
  if (chunks[0]?.type !== 'IHDR') throw new Error('a PNG file must start with IHDR');
  const added = [...(dpi ? [physChunk(dpi)] : []), ...Object.entries(text).map(([k, v]) => textChunk(k, v))];
  const kept = chunks.slice(1).filter((c) => !(dpi && c.type === 'pHYs'));
  return concatBytes([Uint8Array.from(SIGNATURE), chunk('IHDR', chunks[0].data), ...added, ...kept.map((c) => chunk(c.type, c.data))]);
}

/** The text chunks of a PNG (tEXt and uncompressed iTXt) as keyword → value. */
export function pngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { type, data } of pngChunks(png)) {
    const nul = data.indexOf(0);
    if (nul < 0) continue;
    const keyword = String.fromCharCode(...data.subarray(0, nul));
    if (type === 'tEXt') out[keyword] = String.fromCharCode(...data.subarray(nul + 1));
    if (type === 'iTXt' && data[nul + 1] === 0) {
      const languageEnd = data.indexOf(0, nul + 3);
      const translatedEnd = data.indexOf(0, languageEnd + 1);
      out[keyword] = new TextDecoder().decode(data.subarray(translatedEnd + 1));
    }
  }
  return out;
}
