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
