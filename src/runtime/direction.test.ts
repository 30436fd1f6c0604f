import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directionAngle, type Spectrum } from '../core/spectral';
import { manifestFor } from '../shared/pairId';
import { parseSpectrum, type SampleProgress, SETTLE, sampleSpectrum, serializeSpectrum } from './direction';
import { loadPair } from './loadPair';
import { localModelReader } from './node';
import type { LensPair } from './pair';

describe('sampleSpectrum on the demo pair: the slider moves once u₁ has settled', () => {
  let pair: LensPair;
  beforeAll(async () => {
    const read = localModelReader();
    pair = await loadPair(await manifestFor('demo', read), { device: 'cpu', read });
  }, 60_000);
  afterAll(() => pair?.dispose());

  it('hands over u₁ early, after it moved less than SETTLE.degrees, close to the whole sample’s u₁', async () => {
    const progress: SampleProgress[] = [];
    const early: Spectrum[] = [];
    const final = await sampleSpectrum(pair, 20, (p) => progress.push(p), { background: true }, { after: pair.sample.length, take: (s) => early.push(s) });
    expect(early).toHaveLength(1);
    const n = early[0].sampleSize;
    expect(n).toBeGreaterThanOrEqual(SETTLE.minTexts);
    expect(n).toBeLessThan(pair.sample.length / 2);
    const atTake = progress.find((p) => p.done === n)!;
    expect(atTake.movedDegrees).toBeLessThan(SETTLE.degrees);
    // Before it, u₁ had not settled: the reports said how far it still moved.
    expect(progress.filter((p) => p.done < n && p.done >= SETTLE.minTexts).every((p) => (p.movedDegrees ?? 90) >= SETTLE.degrees)).toBe(true);
    expect(directionAngle(early[0].vectors[0], final.vectors[0])).toBeLessThan(10);
    expect(Math.sign(early[0].variation[0])).toBe(Math.sign(final.variation[0]));
    expect(final.sampleSize).toBe(pair.sample.length);
  }, 120_000);

  it('the spectrum file keeps every u_j and reads back the same', async () => {
    const spectrum = await sampleSpectrum(pair, 5);
    const back = parseSpectrum(JSON.parse(JSON.stringify(serializeSpectrum(spectrum, { all: true }))));
    expect(back.vectors).toHaveLength(5);
    for (const [j, u] of spectrum.vectors.entries()) expect(Array.from(back.vectors[j])).toEqual(Array.from(u));
    expect(parseSpectrum(serializeSpectrum(spectrum)).vectors).toHaveLength(1);
  }, 120_000);
});
