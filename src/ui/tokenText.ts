/** Makes a token's text visible: a leading space as ␣, line breaks as ⏎, nothing as ∅. */
export function displayToken(text: string): string {
  if (text.length === 0) return '∅';
  return text.replace(/^ /, '␣').replace(/\n/g, '⏎').replace(/\t/g, '⇥');
}
