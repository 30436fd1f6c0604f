import { describe, expect, it } from 'vitest';
import { cacheMayKeep, causeText, describeUrl, FAULT_KINDS, Fault, type FaultContext, type FaultKind } from './faults';

const URL_OF = (file: string) => `https://huggingface.co/org/model/resolve/main/${file}`;

/** What a message must never show: a JavaScript value or a runtime's complaint instead of words. */
const RAW = /undefined|null|NaN|\[object |Cannot read properties|Unexpected token|is not a function|Infinity/;

describe('Fault messages', () => {
  // Contexts with fields missing, or odd: each kind's message still reads.
  const partial: FaultContext[] = [
    {},
    { repo: 'org/model' },
    { file: 'onnx/model.onnx' },
    { url: URL_OF('config.json') },
    { url: '/models/demo/onnx/model.onnx' },
    { url: 'http://x/%E0%A4%A/resolve/main/a.json' }, // a malformed escape
    { status: 500 },
    { loaded: 10 },
    { total: Number.NaN, loaded: 3 },
    { status: Number.NaN, attempts: 0, total: Number.POSITIVE_INFINITY },
    { detail: '' },
    { cause: new TypeError("Cannot read properties of undefined (reading 'x')") },
  ];

  it('every kind has a message, from any context', () => {
    for (const kind of FAULT_KINDS) {
      for (const context of partial) {
        const fault = new Fault(kind, context);
        expect(fault.kind).toBe(kind);
        expect(fault.message.length, `${kind} ${JSON.stringify(context)}`).toBeGreaterThan(20);
        expect(fault.message, `${kind} ${JSON.stringify(context)}`).not.toMatch(RAW);
        expect(fault.message, `${kind} ${JSON.stringify(context)}`).toMatch(/[.)]$/);
      }
    }
  });

  it('keeps the words the tests of the app and the CLI look for', () => {
    const message = (kind: FaultKind, context: FaultContext) => new Fault(kind, context).message;
    expect(message('server', { url: URL_OF('config.json'), status: 503, statusText: 'Service Unavailable', attempts: 4 })).toBe(
      'org/model/config.json: the server answered 503 Service Unavailable 4 times (retried with backoff). Try again later.',
    );
    expect(message('server', { url: URL_OF('onnx/c.onnx_data'), status: 404, statusText: '' })).toBe('org/model/onnx/c.onnx_data: the server answered 404.');
    expect(message('cut-off', { url: URL_OF('onnx/model.onnx'), loaded: 1024, total: 4096 })).toBe(
      'org/model/onnx/model.onnx: the download was cut off after 1,024 of 4,096 bytes. Nothing of it was kept; load again to retry.',
    );
    expect(message('cut-off', { url: URL_OF('onnx/model.onnx'), loaded: 1024, total: Number.NaN, detail: 'terminated' })).toBe(
      'org/model/onnx/model.onnx: the download was cut off after 1,024 bytes (terminated). Nothing of it was kept; load again to retry.',
    );
    expect(message('bad-content', { url: URL_OF('tokenizer.json'), detail: 'an HTML page, not JSON' })).toBe(
      'org/model/tokenizer.json is an HTML page, not JSON: the server sent something else than the file (a proxy or error page?).',
    );
    expect(message('unreachable', { url: URL_OF('config.json'), detail: 'fetch failed' })).toBe(
      'org/model/config.json: could not connect to https://huggingface.co (fetch failed): offline or unreachable.',
    );
    expect(message('not-found', { repo: 'org/model', file: 'config.json', status: 404 })).toBe(
      'org/model/config.json was not found on the Hub (404). Check the model id.',
    );
    expect(message('unauthorized', { repo: 'org/gated', file: 'config.json', status: 401 })).toContain(
      'org/gated is gated or private (401): accept its licence',
    );
    // By the Hub's error codes (docs/hub-facts.md): the repo, the file asked for, the cause, what to do.
    expect(message('no-repo', { url: URL_OF('config.json'), status: 401, code: 'RepoNotFound' })).toBe(
      'org/model: no such repository on the Hub, or it is private (401 RepoNotFound, asked for config.json). Check the id.',
    );
    expect(message('unauthorized', { url: URL_OF('onnx/model.onnx'), status: 403, code: 'GatedRepo' })).toBe(
      'org/model is gated (403 GatedRepo, asked for onnx/model.onnx): accept its licence on the Hub and sign in, or choose another model.',
    );
    expect(message('no-revision', { url: 'https://huggingface.co/org/model/resolve/v2/config.json', status: 404, code: 'RevisionNotFound' })).toBe(
      'org/model: the Hub has no revision "v2" of it (404 RevisionNotFound, asked for config.json). Check the revision.',
    );
    expect(message('not-found', { url: URL_OF('tokenizer.json'), status: 404, code: 'EntryNotFound' })).toBe(
      'org/model/tokenizer.json: the repository has no such file (404 EntryNotFound). Check the model id.',
    );
    expect(
      message('not-found', { url: URL_OF('onnx/model_q8.onnx'), status: 404, code: 'EntryNotFound', instead: 'onnx/model.onnx, onnx/model_fp16.onnx' }),
    ).toBe(
      'org/model/onnx/model_q8.onnx: the repository has no such file (404 EntryNotFound); it has onnx/model.onnx, onnx/model_fp16.onnx. Check the model id.',
    );
    expect(message('stalled', { url: URL_OF('onnx/model.onnx_data'), loaded: 1024, total: 4096, seconds: 30 })).toBe(
      'org/model/onnx/model.onnx_data: the download stalled: nothing arrived for 30 s after 1,024 of 4,096 bytes, also when asked again. Check the connection, then load again.',
    );
    expect(message('invalid-id', { repo: 'not a model' })).toBe('"not a model" is not a Hub model id (expected organisation/name).');
    expect(
      message('no-range', { url: 'http://127.0.0.1:8080/org/model/resolve/main/model.safetensors', repo: 'org/model', file: 'model.safetensors', status: 200 }),
    ).toBe(
      'The server at http://127.0.0.1:8080 ignored an HTTP Range request for org/model/model.safetensors (status 200); reading one tensor needs Range support.',
    );
    expect(message('too-large', { repo: 'org/model', file: 'model.safetensors', total: 3 * 2 ** 30, detail: 'Array buffer allocation failed' })).toBe(
      "org/model/model.safetensors: 3.0 GiB do not fit in this tab's memory (Array buffer allocation failed). Choose a smaller model, or close other tabs and try again.",
    );
  });

  it('one-off sentences come whole from the check that found them', () => {
    const detail = 'org/model has no model.safetensors (nor a sharded index): cannot read its LM head.';
    expect(new Fault('not-found', { repo: 'org/model', detail }).message).toBe(detail);
    expect(new Fault('bad-file', { repo: 'org/model', file: 'x.json', detail: 'org/model/x.json is not JSON (it starts with "<").' }).message).toBe(
      'org/model/x.json is not JSON (it starts with "<").',
    );
  });

  it('keeps its context and its cause', () => {
    const cause = new TypeError('fetch failed');
    const fault = new Fault('unreachable', { url: URL_OF('config.json'), repo: 'org/model', file: 'config.json', status: undefined, cause });
    expect(fault).toBeInstanceOf(Error);
    expect(fault).toMatchObject({ kind: 'unreachable', url: URL_OF('config.json'), repo: 'org/model', file: 'config.json' });
    expect(fault.cause).toBe(cause);
    expect(Object.hasOwn(new Fault('server'), 'cause')).toBe(false);
  });
});

describe('cacheMayKeep', () => {
  // The weather, as runtime/pair.ts isNetworkWeather had it: DownloadError of any kind but bad-content
  // (a range read cut off was a HubError 'server'), HubError unreachable/server/unauthorized/not-found/invalid-id.
  const WEATHER: FaultKind[] = ['unreachable', 'server', 'cut-off', 'stalled', 'unauthorized', 'not-found', 'no-repo', 'no-revision', 'invalid-id'];

  it('answers per kind: the weather keeps the cache, everything else forgets this load', () => {
    for (const kind of FAULT_KINDS) expect(cacheMayKeep(new Fault(kind)), kind).toBe(WEATHER.includes(kind));
  });

  it('follows the cause chain, and anything that is not a Fault keeps nothing', () => {
    const wrapped = (error: unknown) => new Error('org/model: onnx/model.onnx could not be loaded', { cause: new Error('inner', { cause: error }) });
    expect(cacheMayKeep(wrapped(new Fault('server')))).toBe(true);
    expect(cacheMayKeep(wrapped(new Fault('bad-file')))).toBe(false);
    expect(cacheMayKeep(new Fault('bad-file', { cause: new Fault('cut-off') }))).toBe(true);
    expect(cacheMayKeep(new Error('Aborted()'))).toBe(false);
    expect(cacheMayKeep(wrapped('a string'))).toBe(false);
    expect(cacheMayKeep(undefined)).toBe(false);
    expect(cacheMayKeep('server')).toBe(false);
  });

  it('ends on a cause chain that loops', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(cacheMayKeep(a)).toBe(false);
  });
});

describe('naming', () => {
  it('describeUrl names a Hub file by repo and path, anything else by its path, and never throws', () => {
    expect(describeUrl(URL_OF('onnx/model_q4.onnx'))).toBe('org/model/onnx/model_q4.onnx');
    expect(describeUrl('/models/demo/onnx/model.onnx')).toBe('models/demo/onnx/model.onnx');
    expect(describeUrl('http://x/a%E0%A4%A')).toBe('http://x/a%E0%A4%A');
  });

  it('causeText gives an error’s own words, or nothing', () => {
    expect(causeText(new Error('fetch failed'))).toBe('fetch failed');
    expect(causeText(new Error(''))).toBeUndefined();
    expect(causeText(undefined)).toBeUndefined();
    expect(causeText(null)).toBeUndefined();
    expect(causeText('terminated')).toBe('terminated');
  });
});
