/**
 * A spectrum file opened for a loaded pair: the JSON `lens spectrum` writes (direction.ts SpectrumFile), from
 * a file the user picks, a URL (`?spectrum=`), or a catalog entry's `spectrum`. Everything that can be wrong
 * with one is named in one sentence: not JSON, an HTML page, the wrong shape, another pair's, another width.
 * What only makes it a little different from this pair's own (another dtype, backend or sample) is a notice.
 */

import { textsFingerprint } from '../core/hash';
import type { Spectrum } from '../core/spectral';
import type { PairManifest } from '../shared/manifest';
import type { SpectrumFile } from './direction';
import { parseSpectrum } from './direction';
import { Fault } from './faults';
import { type Fetch, resilientFetch } from './resilientFetch';

/** Files larger than this are not spectra (Qwen3-0.6B's 20 u_j of 1024 floats are ~0.4 MB). */
const MAX_CHARS = 64e6;

const isNumbers = (value: unknown): value is number[] => Array.isArray(value) && value.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * The spectrum file in `text`, checked for shape; `name` (a file name or URL) heads every message.
 * Throws an Error whose message says what is wrong.
 */
export function readSpectrumText(text: string, name: string): SpectrumFile {
  const fail = (what: string): never => {
    throw new Error(`${name} is not a spectrum file written by \`lens spectrum\`: ${what}.`);
  };
  if (text.length > MAX_CHARS) fail(`it is ${(text.length / 1e6).toFixed(0)} MB, far larger than a spectrum`);
  const start = text.trimStart().slice(0, 200).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<')) fail('it is an HTML page (a wrong address?)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('it is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('it is not a JSON object');
  const file = value as Record<string, unknown>;
  if (!isNumbers(file.u1) || file.u1.length < 2) fail('"u1" must be an array of numbers');
  const u1 = file.u1 as number[];
  for (const field of ['variation', 'shares', 'singularValues'] as const) {
    if (!isNumbers(file[field]) || (file[field] as number[]).length === 0) fail(`"${field}" must be an array of numbers`);
  }
  if (!Number.isInteger(file.sampleSize) || (file.sampleSize as number) < 1) fail('"sampleSize" must be a positive integer');
  if (file.more !== undefined && (!Array.isArray(file.more) || !file.more.every((u) => isNumbers(u) && u.length === u1.length))) {
    fail('"more" must hold vectors as long as u1');
  }
  const norm = Math.hypot(...u1);
  if (Math.abs(norm - 1) > 1e-3) fail(`u1 must have unit length, and has ${norm.toPrecision(4)}`);
  if (file.about !== undefined) {
    const about = file.about as Record<string, unknown> | null;
    if (!about || typeof about !== 'object' || typeof about.embed !== 'string' || typeof about.base !== 'string') {
      fail('"about" must name the pair\'s "embed" and "base" models');
    }
  }
  return value as SpectrumFile;
}

/** "computed on <embed> with <base>" when the file names other models than the pair's; undefined when it is the pair's (or says nothing). */
export function computedOnOther(file: SpectrumFile, manifest: Pick<PairManifest, 'embed' | 'base'>): string | undefined {
  const { about } = file;
  if (!about || (about.embed === manifest.embed.model && about.base === manifest.base.model)) return undefined;
  return `computed on ${about.embed} with ${about.base}`;
}

/** What a spectrum file is checked against: the loaded pair. */
export interface SpectrumTarget {
  manifest: Pick<PairManifest, 'id' | 'embed' | 'base'>;
  /** The base model's hidden size d (W's columns): u₁'s length. */
  hiddenSize: number;
  dtype: string;
  device: string;
  sample: readonly string[];
}

/**
 * The spectrum of `file` for the loaded pair, or an Error naming why it is not this pair's (another pair's models,
 * another hidden size). A spectrum computed in another dtype, on another backend or on another sample is used, with
 * a notice saying so; one that says nothing of what it was computed on (written before `about` existed) too.
 */
export function spectrumForPair(file: SpectrumFile, target: SpectrumTarget, name: string): { spectrum: Spectrum; notice?: string } {
  const { manifest } = target;
  const refuse = (why: string): never => {
    throw new Error(`${name} is not applied (the slider keeps its direction): ${why}.`);
  };
  const { about } = file;
  const other = computedOnOther(file, manifest);
  if (other) refuse(`it was ${other}, not on the loaded pair "${manifest.id}" (${manifest.embed.model} with ${manifest.base.model})`);
  if (file.u1.length !== target.hiddenSize) {
    refuse(`its u₁ has ${file.u1.length} dimensions, but the base model of the loaded pair "${manifest.id}" has ${target.hiddenSize}`);
  }
  const notices: string[] = [];
  if (!about) notices.push('it does not say what it was computed on (only its width was checked)');
  else {
    if (about.dtype !== target.dtype || about.device !== target.device) {
      notices.push(
        `it was computed in ${about.dtype} on ${about.device}, and the pair runs ${target.dtype} on ${target.device}: its u₁ may differ slightly from this run's own`,
      );
    }
    if (about.sample !== textsFingerprint([...target.sample])) notices.push(`it was computed on another sample (${file.sampleSize} texts) than the pair's`);
  }
  return { spectrum: parseSpectrum(file), ...(notices.length && { notice: `${name}: ${notices.join('; ')}.` }) };
}

/** A spectrum file's server may answer 503, drop a connection or cut a body off now and then, as the Hub does: the same retries. */
let spectrumFetch: Fetch | undefined;

/**
 * The text of a spectrum file at `url`, through resilientFetch (retries on 429/5xx, dropped connections, cut or
 * stalled bodies); an Error naming the cause when there is none to read (offline, CORS, 404, an HTML page).
 * An absolute http(s) URL, or one the caller has already resolved against the page.
 */
export async function fetchSpectrumText(url: string): Promise<string> {
  spectrumFetch ??= resilientFetch((input, init) => fetch(input, init));
  let response: Response;
  try {
    response = await spectrumFetch(url);
  } catch (error) {
    const kind = error instanceof Fault ? error.kind : 'unreachable';
    if (kind === 'bad-content') throw new Error(`${url} is not a spectrum file written by \`lens spectrum\`: it is an HTML page (a wrong address?).`);
    if (kind === 'unreachable') {
      throw new Error(`The spectrum file ${url} could not be fetched: the server is unreachable or offline, or does not let this page read it (CORS).`);
    }
    throw new Error(`The spectrum file ${url} could not be fetched: ${(error as Error).message}`);
  }
  const status = `${response.status} ${response.statusText}`.trim();
  if (!response.ok) throw new Error(`The spectrum file ${url} could not be fetched: the server answered ${status}.`);
  return response.text();
}

/** A spectrum named by URL (http or https) rather than by a path under the model root. */
export const isSpectrumUrl = (path: string) => /^https?:\/\//i.test(path);
