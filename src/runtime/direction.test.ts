import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { directionAngle, type Spectrum } from '../core/spectral';
import { manifestFor } from '../shared/pairId';
import type { DirectionSource, DirectionState } from '../shared/wire';
import { EARLY_BATCH, EARLY_V_TEXTS, parseSpectrum, type SampleProgress, SETTLE, sampleSpectrum, sampleTakesOver, serializeSpectrum } from './direction';
import { loadPair } from './loadPair';
import { localModelReader } from './node';
import type { LensPair } from './pair';

/** Records each model run as `body:texts` while the real runs go on (the model itself is not replaced). */
function recordRuns(pair: LensPair) {
  const runs: string[] = [];
  const runBody = pair.runBody.bind(pair);
  const spy = vi.spyOn(pair, 'runBody').mockImplementation((which, texts, ...rest) => {
    runs.push(`${which}:${texts.length}`);
    return runBody(which, texts, ...rest);
  });
  return { runs, spy };
}

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
    // Then again each time the texts read have doubled, v from all of them: u₁ and v₁ sharpen towards the final ones.
    expect(early.map((s) => s.sampleSize)).toEqual(early.map((_, i) => n * 2 ** i));
    expect(early.at(-1)!.sampleSize * 2).toBeGreaterThanOrEqual(pair.sample.length);
    expect(early.length).toBeGreaterThan(1);
    const last = early.at(-1)!;
    expect(directionAngle(last.vectors[0], final.vectors[0])).toBeLessThan(directionAngle(early[0].vectors[0], final.vectors[0]));
    expect(Math.abs(last.variation[0] - final.variation[0])).toBeLessThan(Math.abs(early[0].variation[0] - final.variation[0]));
  }, 120_000);

  it('until u₁ is handed over only the base model runs, EARLY_BATCH texts a run; the embedder reads EARLY_V_TEXTS texts for v₁, then catches up one by one', async () => {
    const { runs, spy } = recordRuns(pair);
    try {
      let tookAt = -1;
      const early: Spectrum[] = [];
      const final = await sampleSpectrum(
        pair,
        20,
        undefined,
        { background: true },
        {
          after: pair.sample.length,
          take: (s) => {
            if (!early.length) tookAt = runs.length;
            early.push(s);
          },
        },
      );
      const n = early[0].sampleSize;
      expect(n).toBeGreaterThan(EARLY_V_TEXTS); // the demo pair's u₁ settles after more texts than v₁ needs
      // Before the take: base runs of EARLY_BATCH texts (the user waits for the slider), then the embedder on
      // EARLY_V_TEXTS of them in runs of EARLY_BATCH; nothing else. After it, one text per run (the page's requests come first).
      expect(n % EARLY_BATCH).toBe(0);
      expect(runs.slice(0, tookAt)).toEqual([
        ...Array(n / EARLY_BATCH).fill(`base:${EARLY_BATCH}`),
        ...Array(EARLY_V_TEXTS / EARLY_BATCH).fill(`embed:${EARLY_BATCH}`),
      ]);
      expect(runs.slice(tookAt).every((r) => r.endsWith(':1'))).toBe(true);
      const textsRead = (which: string) => runs.filter((r) => r.startsWith(which)).reduce((sum, r) => sum + Number(r.split(':')[1]), 0);
      expect(textsRead('embed')).toBe(pair.sample.length);
      expect(textsRead('base')).toBe(pair.sample.length);
      // v₁ from the first texts has the final one's sign and is within half of it.
      expect(Math.abs(early[0].variation[0] - final.variation[0])).toBeLessThan(Math.abs(final.variation[0]) / 2);
      // The final spectrum does not depend on the order the bodies ran in: it equals the foreground one's.
      const foreground = await sampleSpectrum(pair, 20);
      expect(directionAngle(final.vectors[0], foreground.vectors[0])).toBeLessThan(1e-3);
      expect(final.variation[0]).toBeCloseTo(foreground.variation[0], 4);
    } finally {
      spy.mockRestore();
    }
  }, 180_000);

  it("early.batch (a measurement's ?batch=N) reads the sample in runs of that many until the hand-over, and u₁ still settles", async () => {
    const { runs, spy } = recordRuns(pair);
    try {
      const progress: SampleProgress[] = [];
      let tookAt = -1;
      await sampleSpectrum(
        pair,
        20,
        (p) => progress.push(p),
        { background: true },
        {
          after: pair.sample.length,
          batch: 8,
          take: () => {
            if (tookAt < 0) tookAt = runs.length;
          },
        },
      );
      const before = runs.slice(0, tookAt);
      expect(before.filter((r) => r.startsWith('base')).every((r) => r === 'base:8')).toBe(true);
      expect(before.filter((r) => r.startsWith('embed'))).toEqual(['embed:8']);
      // Runs of 8 skip every other multiple of the stride: u₁ is compared with the last estimate before it.
      expect(progress.some((p) => p.done === 16 && p.movedDegrees !== undefined)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  }, 120_000);

  it('the spectrum file keeps every u_j and reads back the same', async () => {
    const spectrum = await sampleSpectrum(pair, 5);
    const back = parseSpectrum(JSON.parse(JSON.stringify(serializeSpectrum(spectrum, { all: true }))));
    expect(back.vectors).toHaveLength(5);
    for (const [j, u] of spectrum.vectors.entries()) expect(Array.from(back.vectors[j])).toEqual(Array.from(u));
    expect(parseSpectrum(serializeSpectrum(spectrum)).vectors).toHaveLength(1);
  }, 120_000);
});

describe('the ranking of the slider’s sources: one owner, the runtime', () => {
  const ready = (source: DirectionSource, sampleSize: number, kept?: true): DirectionState => ({
    state: 'ready',
    source,
    ...(kept && { kept }),
    variation: [1],
    shares: [1],
    sampleSize,
  });

  it('a spectrum of the sample replaces nothing the user chose, nor a kept one of more texts', () => {
    expect(sampleTakesOver({ state: 'estimating', done: 4, total: 200 }, 20)).toBe(true);
    expect(sampleTakesOver({ state: 'failed', reason: 'x' }, 20)).toBe(true);
    expect(sampleTakesOver(ready('sample', 20), 40)).toBe(true);
    expect(sampleTakesOver(ready('sample', 20, true), 40)).toBe(true);
    expect(sampleTakesOver(ready('sample', 40, true), 20)).toBe(false);
    expect(sampleTakesOver(ready('sample', 40, true), 40)).toBe(false);
    for (const source of ['analysis', 'file', 'shipped'] as const) expect(sampleTakesOver(ready(source, 20), 200)).toBe(false);
  });
});
