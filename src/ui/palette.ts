/**
 * The colours that carry a meaning, one meaning each. The page reads them as CSS variables (styles.css
 * `:root`, the same values; palette.test.ts keeps the two in step); exported figures are standalone SVG
 * and need the values themselves.
 */
export const PALETTE = {
  /** A token of the text itself (a key token): chips, bars, labels. */
  inText: '#b4441e',
  /** A token that is not in the text. */
  notInText: '#8fa3b8',
  /** The part of a logit carried by PC1, (h·u₁)(w·u₁). */
  pc1Part: '#6a3d9a',
  /** The rest of a logit, w·h − (h·u₁)(w·u₁). */
  restPart: '#2a9d8f',
  /** A total (the logit itself) marked on a chart. */
  total: '#1d232b',
  /** v₁, the embedder's mean shift along u₁, where the slider marks it. */
  v1: '#1f7a3a',
  /** A base-model token the embedder's list also has; the overlap of the two lists on the λ curve. */
  shared: '#c99a06',
  /** The embedding model's series on a line chart. */
  seriesEmbed: '#2f6db5',
  /** The base model's series on a line chart. */
  seriesBase: '#5b5b5b',
} as const;

export type Meaning = keyof typeof PALETTE;

/** The CSS variable that holds a meaning's colour: pc1Part → --pc1-part. */
export const cssVar = (meaning: Meaning) => `--${meaning.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
