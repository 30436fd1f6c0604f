import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW,
  LINK,
  type LinkKey,
  readLink,
  readViewState,
  type ViewState,
  viewProblems,
  workerNameFor,
  workerOptionsFrom,
  writeViewState,
} from './linkSchema';

/** For each parameter: a value the link may carry, what it reads as, and a value the app cannot use. */
const CASES: Record<LinkKey, { good: string; value: unknown; bad?: string }> = {
  view: { good: 'analysis', value: 'analysis', bad: 'nope' },
  pair: { good: 'qwen3-0.6b', value: 'qwen3-0.6b', bad: '' },
  text: { good: 'Ünïcode & <b>html</b> 🙂 + spaces', value: 'Ünïcode & <b>html</b> 🙂 + spaces' },
  lambda: { good: '-1.5', value: -1.5, bad: 'abc' },
  k: { good: '20', value: 20, bad: '7' },
  backend: { good: 'wasm', value: 'wasm', bad: 'gpu' },
  hub: { good: 'http://127.0.0.1:8765', value: 'http://127.0.0.1:8765' },
  dtype: { good: 'q4f16', value: 'q4f16', bad: 'fp8' },
  spectrum: { good: 'spectra/demo.json', value: 'spectra/demo.json' },
  ort: { good: 'nojspi', value: 'nojspi', bad: 'jspi' },
  threads: { good: '2', value: 2, bad: '0' },
  batch: { good: '8', value: 8, bad: '1e1' },
  debug: { good: 'stall-download', value: 'stall-download', bad: '1' },
};
const KEYS = Object.keys(LINK) as LinkKey[];
const one = (key: string, raw: string) => `?${new URLSearchParams({ [key]: raw })}`;

describe('the link schema', () => {
  it('has a case here for every parameter', () => {
    expect(Object.keys(CASES).sort()).toEqual([...KEYS].sort());
  });

  it.each(KEYS)('%s: parses a good value, falls back when absent', (key) => {
    expect(readLink(one(key, CASES[key].good))).toEqual({ values: { ...readLink('').values, [key]: CASES[key].value }, corrections: [] });
    expect(readLink('').values[key]).toBe(LINK[key].fallback);
  });

  it.each(KEYS.filter((key) => CASES[key].bad !== undefined))(
    '%s: a value the app cannot use gives the fallback, and words where the page shows them',
    (key) => {
      const { values, corrections } = readLink(one(key, CASES[key].bad ?? ''));
      expect(values[key]).toBe(LINK[key].fallback);
      if (LINK[key].instead) expect(corrections).toEqual([`${key}=${CASES[key].bad} is not ${LINK[key].accepts}: ${LINK[key].instead}.`]);
      else expect(corrections).toEqual([]);
    },
  );

  it('says each correction in the one form', () => {
    expect(readLink('?view=nope&k=7&lambda=abc&backend=gpu&dtype=fp8').corrections).toEqual([
      'view=nope is not one of explorer, analysis, instructions, similarity, retrieval: the Explorer is shown.',
      'lambda=abc is not a number: λ = 0.',
      'k=7 is not one of 5, 10, 20, 50: the top 10 are shown.',
      'backend=gpu is not one of auto, webgpu, wasm: auto is used.',
      "dtype=fp8 is not one of fp32, fp16, q8, q4, q4f16, or empty: the backend's choice is used.",
    ]);
    // An empty dtype is the backend's choice, as the picker's "auto" writes it.
    expect(readLink('?dtype=').corrections).toEqual([]);
    expect(readLink('?view=analysis&k=20&lambda=-1.5&backend=wasm&text=hi&debug=1').corrections).toEqual([]);
  });
});

describe('the view in a link', () => {
  const view: ViewState = {
    view: 'similarity',
    pair: 'qwen3-0.6b',
    text: 'Two dogs 🐕 run.',
    lambda: -3.25,
    k: 20,
    backend: 'webgpu',
    hub: 'http://127.0.0.1:8765',
    dtype: 'q8',
  };

  it('round-trips every parameter of the view, and the fallbacks', () => {
    expect(readViewState(writeViewState(view))).toEqual(view);
    expect(readViewState(writeViewState(DEFAULT_VIEW))).toEqual(DEFAULT_VIEW);
    expect(readViewState('?k=7&lambda=abc&backend=gpu')).toEqual(DEFAULT_VIEW);
  });

  it('leaves out fallbacks but always writes the text, and keeps other parameters', () => {
    const written = new URLSearchParams(writeViewState(DEFAULT_VIEW, '?debug=lose-device&panels=layers&k=50'));
    expect([...written]).toEqual([
      ['debug', 'lose-device'],
      ['panels', 'layers'],
      ['text', DEFAULT_VIEW.text],
    ]);
  });

  it('writes λ to the thousandth', () => {
    expect(new URLSearchParams(writeViewState({ ...DEFAULT_VIEW, lambda: 1 / 3 })).get('lambda')).toBe('0.333');
  });

  it("names each of a saved view's values that cannot be used", () => {
    expect(viewProblems(view)).toEqual([]);
    expect(viewProblems({ text: 'x', pair: 'demo', lambda: 0, k: 7, hub: '', dtype: '' })).toEqual([
      'view must be one of explorer, analysis, instructions, similarity, retrieval',
      'k must be one of 5, 10, 20, 50',
      'backend must be one of auto, webgpu, wasm',
    ]);
    // A saved view holds JSON values: "20" is not the number 20.
    expect(viewProblems({ ...view, k: '20', lambda: Number.NaN })).toEqual(['lambda must be a number', 'k must be one of 5, 10, 20, 50']);
  });
});

describe("the model worker's options", () => {
  it("travel in the worker's name and read back as the link's values", () => {
    const name = workerNameFor('?ort=nojspi&debug=stall-download&threads=02&batch=4&k=20');
    expect(name).toBe('lens-models ort=nojspi debug=stall-download threads=2 batch=4');
    expect(workerOptionsFrom(name)).toEqual({ ort: 'nojspi', debug: 'stall-download', threads: 2, batch: 4 });
  });

  it('leave out what the link does not set or the app cannot use', () => {
    expect(workerNameFor('?ort=jspi&threads=x&batch=0&debug=1')).toBe('lens-models');
    expect(workerOptionsFrom('lens-models')).toEqual({ ort: undefined, debug: undefined, threads: undefined, batch: undefined });
    expect(workerOptionsFrom('lens-models subthreads=3').threads).toBeUndefined();
  });
});

describe('docs/views.md', () => {
  it('names every parameter of the link', () => {
    const views = readFileSync(new URL('../../docs/views.md', import.meta.url), 'utf8');
    for (const key of KEYS) expect(views).toContain(`\`${key}=`);
  });
});
