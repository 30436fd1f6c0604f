import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { textsFingerprint } from '../core/hash';
import { makeLmHead } from '../core/lmHead';
import type { Spectrum } from '../core/spectral';
import { directionFromSpectrum, type SpectrumFile, serializeSpectrum } from './direction';
import { fetchSpectrumText, readSpectrumText, type SpectrumTarget, spectrumForPair } from './spectrumFile';

/** What no message a user reads may contain: a JavaScript error's words instead of a sentence. */
const RAW_ERROR = /Cannot read properties|undefined|Unexpected token|is not a function|\n\s+at |\[object /;

const d = 4;
const sample = ['a cat', 'a dog', 'two birds'];
const target: SpectrumTarget = {
  manifest: { id: 'pair', embed: { model: 'org/embed', pooling: 'mean', template: '{text}' }, base: { model: 'org/base', pooling: 'mean' } },
  hiddenSize: d,
  dtype: 'q8',
  device: 'wasm',
  sample,
};
const about = {
  sample: textsFingerprint(sample),
  embed: 'org/embed',
  base: 'org/base',
  dtype: 'q8' as const,
  graphs: 'org/embed:1,org/base:2',
  device: 'wasm' as const,
};
// Components with awkward float64s (not representable in float32), so a lossy round trip would show.
const u1 = Float64Array.from([0.1, -0.7, Math.SQRT1_2 / 3, 0]);
u1[3] = Math.sqrt(1 - (u1[0] ** 2 + u1[1] ** 2 + u1[2] ** 2));
const spectrum: Spectrum = {
  vectors: [u1, Float64Array.from([0, 0, 0, 1])],
  singularValues: [3.3, 1.1],
  shares: [0.9000000000000001, 0.1],
  variation: [1.2345678901234567, -0.3],
  sampleSize: 3,
};
const fileOf = (extra: Partial<SpectrumFile> = {}) => JSON.stringify({ ...serializeSpectrum(spectrum, { all: true, about }), ...extra });

describe('a spectrum file, as `lens spectrum` writes it, read back for the loaded pair', () => {
  it('gives the same Direction: u₁ bitwise, W·u₁ and v_j', () => {
    const head = makeLmHead(
      Float32Array.from({ length: 6 * d }, (_, i) => Math.sin(i + 1)),
      6,
      d,
      'float32',
    );
    const { spectrum: read, notice } = spectrumForPair(readSpectrumText(fileOf(), 'x.json'), target, 'x.json');
    expect(notice).toBeUndefined();
    const original = directionFromSpectrum(head, spectrum, { source: 'sample' });
    const opened = directionFromSpectrum(head, read, { source: 'file', origin: 'x.json' });
    expect(opened.u1).toEqual(original.u1);
    expect(Array.from(opened.u1).every((x, i) => Object.is(x, original.u1[i]))).toBe(true);
    expect(opened.zu).toEqual(original.zu);
    expect(opened.shown.variation).toEqual(original.shown.variation);
    expect(opened.shown.shares).toEqual(original.shown.shares);
    expect(opened.shown).toMatchObject({ source: 'file', origin: 'x.json', sampleSize: 3 });
  });

  it('refuses another pair’s spectrum or another width, naming the cause', () => {
    const other = readSpectrumText(fileOf({ about: { ...about, embed: 'org/other-embed' } }), 'other.json');
    expect(() => spectrumForPair(other, target, 'other.json')).toThrow(
      'other.json is not applied (the slider keeps its direction): it was computed on org/other-embed with org/base, not on the loaded pair "pair" (org/embed with org/base).',
    );
    const wide = readSpectrumText(fileOf(), 'wide.json');
    expect(() => spectrumForPair(wide, { ...target, hiddenSize: 8 }, 'wide.json')).toThrow(
      /its u₁ has 4 dimensions, but the base model of the loaded pair "pair" has 8/,
    );
  });

  it('takes one of another dtype, backend or sample, or one that says nothing of its origin, with a notice', () => {
    const cpu = spectrumForPair(readSpectrumText(fileOf({ about: { ...about, dtype: 'fp32', device: 'cpu' } }), 'cpu.json'), target, 'cpu.json');
    expect(cpu.notice).toBe("cpu.json: it was computed in fp32 on cpu, and the pair runs q8 on wasm: its u₁ may differ slightly from this run's own.");
    const otherSample = spectrumForPair(readSpectrumText(fileOf({ about: { ...about, sample: 'nope' } }), 's.json'), target, 's.json');
    expect(otherSample.notice).toMatch(/another sample \(3 texts\)/);
    const { about: _dropped, ...bare } = JSON.parse(fileOf());
    const old = spectrumForPair(readSpectrumText(JSON.stringify(bare), 'old.json'), target, 'old.json');
    expect(old.notice).toMatch(/does not say what it was computed on/);
  });

  it('names what is wrong with a file that is no spectrum, in one sentence', () => {
    const cases: [string, RegExp][] = [
      ['<!DOCTYPE html><html><body>Embedding Lens</body></html>', /an HTML page/],
      ['{"u1": [1, 0', /not valid JSON/],
      ['[1, 2, 3]', /not a JSON object/],
      ['{"variation": [1]}', /"u1" must be an array of numbers/],
      [fileOf({ u1: [1, 0, 'x'] as unknown as number[] }), /"u1" must be an array of numbers/],
      [fileOf({ variation: undefined }), /"variation" must be an array of numbers/],
      [fileOf({ sampleSize: 0 }), /"sampleSize" must be a positive integer/],
      [fileOf({ more: [[1, 0]] }), /"more" must hold vectors as long as u1/],
      [fileOf({ u1: [1, 1, 0, 0] }), /u1 must have unit length, and has 1.414/],
      [fileOf({ about: 'somewhere' as unknown as SpectrumFile['about'] }), /"about" must name/],
    ];
    for (const [text, message] of cases) {
      let thrown: Error | undefined;
      try {
        readSpectrumText(text, 'f.json');
      } catch (error) {
        thrown = error as Error;
      }
      expect(thrown?.message, text).toMatch(message);
      expect(thrown?.message.startsWith('f.json is not a spectrum file written by `lens spectrum`: ')).toBe(true);
      expect(thrown?.message).not.toMatch(RAW_ERROR);
    }
  });
});

describe('fetchSpectrumText: a spectrum file at a URL rides out what any server does now and then', () => {
  it('a 503 on the first GET, then the file: the file, as a Hub file would', async () => {
    const text = fileOf({});
    let gets = 0;
    const server = createServer((_req, res) => {
      gets++;
      if (gets === 1) res.writeHead(503, { 'Retry-After': '0' }).end('busy');
      else res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/spectra/pair.json`;
      expect(await fetchSpectrumText(url)).toBe(text);
      expect(gets).toBe(2);
    } finally {
      server.close();
    }
  });

  it('a server that never answers: one sentence naming the file, no JavaScript error', async () => {
    const url = 'http://127.0.0.1:9/spectra/pair.json'; // the discard port: nothing listens
    const error = await fetchSpectrumText(url).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `The spectrum file ${url} could not be fetched: the server is unreachable or offline, or does not let this page read it (CORS).`,
    );
    expect((error as Error).message).not.toMatch(RAW_ERROR);
  }, 20_000);
});
