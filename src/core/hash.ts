/**
 * A short fingerprint of a list of texts (cyrb53: two 32-bit multiply-xorshift lanes, 53 bits in all), to tell
 * whether a stored result was computed on the same texts. Not cryptographic: it guards against a changed
 * sample, not against someone forging one. Synchronous and the same in Node and every browser (crypto.subtle
 * exists only in secure contexts).
 */
export function textsFingerprint(texts: readonly string[]): string {
  let h1 = 0xdeadbeef ^ texts.length;
  let h2 = 0x41c6ce57 ^ texts.length;
  for (const text of texts) {
    // Each text ends with a code no string of the sample holds alone, so ['ab', 'c'] ≠ ['a', 'bc'].
    for (let i = 0; i <= text.length; i++) {
      const code = i < text.length ? text.charCodeAt(i) : 0x10000;
      h1 = Math.imul(h1 ^ code, 2654435761);
      h2 = Math.imul(h2 ^ code, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
