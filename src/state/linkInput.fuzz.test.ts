import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINK, type LinkKey, readLink, readViewState, viewProblems, workerOptionsFrom, writeViewState } from '../shared/linkSchema';
import { parseExplorerFile } from './explorerFile';

// Links and saved views come from strangers: whatever they carry, reading them never throws, every value read is
// one the app can use, and a link written from what was read reads back the same.
const KEYS = Object.keys(LINK) as LinkKey[];
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '%', '%E0%A4%A', 'NaN', '1e309', '-0', '<script>', '\u0000'));
const link = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string()), anyText), { maxLength: 12 })
  .map((pairs) => new URLSearchParams(pairs).toString());
const rawQuery = fc.oneof(link, fc.string(), fc.string({ unit: 'grapheme' }));
/** A value the app can use for `key`: its fallback (undefined for the optional ones), or one its check accepts. */
const usable = (key: LinkKey, value: unknown) => value === LINK[key].fallback || (LINK[key] as { is(v: unknown): boolean }).is(value);

describe('link schema, fuzzed', () => {
  it('reads any query: no throw, every value usable, a correction is a sentence', () => {
    fc.assert(
      fc.property(rawQuery, (query) => {
        const { values, corrections } = readLink(query);
        for (const key of KEYS) expect(usable(key, values[key]), `${key} from ${query}`).toBe(true);
        for (const line of corrections) expect(line).toMatch(/\.$/);
      }),
      { numRuns: 400 },
    );
  });

  it('a link written from what was read reads back the same view', () => {
    fc.assert(
      fc.property(link, (query) => {
        const view = readViewState(query);
        // As JSON: λ = -0 is written as 0, the same slider position.
        expect(JSON.stringify(readViewState(writeViewState(view)))).toBe(JSON.stringify(view));
      }),
      { numRuns: 300 },
    );
  });

  it('worker options from any worker name are usable', () => {
    fc.assert(
      fc.property(anyText, (name) => {
        const options = workerOptionsFrom(`lens-models ${name}`);
        for (const [key, value] of Object.entries(options)) expect(usable(key as LinkKey, value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a saved view of any JSON: parsed, or refused with one Error naming the cause; viewProblems never throws', () => {
    const json = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ state: fc.dictionary(fc.constantFrom(...KEYS, 'x'), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
      fc.string(),
    );
    fc.assert(
      fc.property(json, (text) => {
        try {
          parseExplorerFile(text);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).not.toMatch(/Cannot read properties|is not a function|undefined/);
        }
      }),
      { numRuns: 400 },
    );
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue()), (state) => void viewProblems(state)));
  });
});
