/** A control character other than tab and line breaks (C0, DEL, C1): invisible, and not allowed in XML. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** A control character written as its code, like a byte that is not UTF-8: `<0x00>`. */
export const showControls = (text: string) => text.replace(CONTROL, (ch) => `<0x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}>`);

/** Makes a token's text visible: a leading space as ␣, line breaks as ⏎, tabs as ⇥, control characters as `<0xNN>`, nothing as ∅. */
export function displayToken(text: string): string {
  if (text.length === 0) return '∅';
  return showControls(
    text
      .replace(/^ /, '␣')
      .replace(/\r?\n|\r/g, '⏎')
      .replace(/\t/g, '⇥'),
  );
}

/** A letter of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko, …) or any other letter: the first decides. */
const FIRST_LETTER =
  /(\p{Script=Hebrew}|\p{Script=Arabic}|\p{Script=Syriac}|\p{Script=Thaana}|\p{Script=Nko}|\p{Script=Samaritan}|\p{Script=Mandaic}|\p{Script=Adlam})|\p{L}/u;

/**
 * The direction a text reads in, by its first letter (the rule of `dir="auto"`). The token chips take it from the
 * typed text rather than from their own content: a tokenizer that does not know the script shows its bytes as
 * `<0xD8>`, whose Latin letters would make `dir="auto"` read left to right.
 */
export function textDirection(text: string): 'rtl' | 'ltr' {
  const first = FIRST_LETTER.exec(text);
  return first?.[1] ? 'rtl' : 'ltr';
}
