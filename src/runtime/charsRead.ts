/**
 * How many characters of `text` a pair reads: all of them, unless the text has more tokens than the pair's
 * context; then the shortest prefix whose tokens begin with the same tokens the whole text's do, up to the
 * context. A link carries only that prefix (state/urlSync.ts): reopened, it gives the same tokens, and a
 * 20,000-character text no longer makes a URL that servers refuse (HTTP 431).
 *
 * `tokenize` is the pair's (LensPair.tokenize): the text's own tokens, cut to the context.
 */
export function charsRead(tokenize: (text: string) => { ids: number[]; truncated: boolean }, text: string): number {
  const whole = tokenize(text);
  if (!whole.truncated) return text.length;
  const target = whole.ids;
  const reads = (n: number) => {
    const ids = tokenize(text.slice(0, n)).ids;
    return ids.length === target.length && ids.every((id, i) => id === target[i]);
  };
  // A token spans one character or more (or part of one): grow a bound from the token count, then bisect.
  let lo = 0;
  let hi = Math.min(text.length, target.length);
  while (hi < text.length && !reads(hi)) {
    lo = hi;
    hi = Math.min(text.length, hi * 2);
  }
  if (hi >= text.length) return text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (reads(mid)) hi = mid;
    else lo = mid;
  }
  // Never end between the two halves of a surrogate pair.
  const code = text.charCodeAt(hi - 1);
  return code >= 0xd800 && code <= 0xdbff ? hi + 1 : hi;
}
