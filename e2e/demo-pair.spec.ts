import { ENGLISH_STOPWORDS } from '../src/core/content';
import { expect, PAIR, test } from './fixtures';

// The demo pair must show the paper's effect, live: for hand-picked sentences a
// content word of the sentence is among the embedder's top-10 aligned tokens.
// (Hand-picked, as the issue asks; the measured rate over all STS-B test sentences,
// 62%, is in models/README.md. "A woman is slicing an onion in the kitchen." passed with
// the 600-step embedder and fails with the shipped one: its top-10 became WordNet-gloss words.)
const SENTENCES = [
  'A man is riding a horse.',
  'A man is playing the guitar on a stage.',
  'A girl is brushing her hair.',
  'A cat is sleeping on the bed.',
];
const stop = new Set(ENGLISH_STOPWORDS);
const isContentWord = (token: string) => {
  const word = token.replace(/^␣/, '').trim().toLowerCase();
  return /\p{L}{3,}/u.test(word) && !stop.has(word);
};

test.describe('the demo pair shows key tokens', () => {
  test.skip(PAIR !== 'demo', 'a property of the trained demo pair');

  test('the app says what the demo pair shows, in its own words', async ({ page, openLens }) => {
    await openLens();
    await expect(page.getByTestId('pair-description')).toContainText('STS-B test sentences');
  });

  for (const sentence of SENTENCES) {
    test(`content words of "${sentence}" are among the embedder's top-10`, async ({ page, openLens }) => {
      await openLens({ text: sentence });
      const column = page.getByTestId('aligned-embed');
      await expect(column.getByTestId('aligned-token')).toHaveCount(10);
      const words: string[] = sentence.toLowerCase().match(/\p{L}+/gu) ?? [];
      const aligned = await column.getByTestId('aligned-token').locator('.label').allTextContents();
      const hits = aligned.filter((t) => isContentWord(t) && words.includes(t.replace(/^␣/, '').trim().toLowerCase()));
      expect(hits.length, `top-10: ${aligned.join(' ')}`).toBeGreaterThan(0);
      // The key token is lit in the input row too.
      await expect(column.locator('[data-testid="input-token"][data-key="true"]').filter({ hasText: hits[0].replace(/^␣/, '') })).not.toHaveCount(0);
    });
  }
});
