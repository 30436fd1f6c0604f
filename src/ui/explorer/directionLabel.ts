import type { ReadyDirection } from '../../worker/protocol';

/** Where the slider's u₁ and v₁ come from, in words: the explorer's footnote, the spectrum file panel. */
export function directionLabel(direction: ReadyDirection): string {
  const { source, origin, sampleSize, kept } = direction;
  const sentences = `${sampleSize} sample sentences`;
  const earlier = 'kept from an earlier visit';
  if (source === 'analysis') return origin ?? `an analysis of ${sampleSize} texts`;
  if (source === 'file') return `the spectrum file${origin ? ` ${origin}` : ''} (${sentences}${kept ? `, ${earlier}` : ''})`;
  return kept ? `${sentences} (${earlier})` : sentences;
}
