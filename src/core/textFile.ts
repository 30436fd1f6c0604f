import { DatasetError } from './datasets';

/**
 * A dataset file's bytes as text, or a one-line refusal naming the file and why it is not text.
 * Without this check a PNG or a zip decodes to a few "lines" of replacement characters and is
 * analysed as if it were sentences.
 */

/** Above this share of undecodable characters a file is not UTF-8 text; below it a stray Latin-1 byte is tolerated. */
const MAX_INVALID_SHARE = 0.1;

export function decodeTextFile(name: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DatasetError(`${name} is not a text file: it contains NUL bytes (the first at byte ${nul}), as binary files do`);
  // The decoder drops a leading byte-order mark and turns each invalid sequence into U+FFFD.
  const text = new TextDecoder('utf-8').decode(bytes);
  let invalid = 0;
  for (const char of text) if (char === '\uFFFD') invalid++;
  const share = text.length ? invalid / text.length : 0;
  if (share > MAX_INVALID_SHARE) {
    throw new DatasetError(`${name} is not a text file: ${Math.round(share * 100)}% of its characters are not valid UTF-8`);
  }
  return text;
}
