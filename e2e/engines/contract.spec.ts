/**
 * The contract every engine passes (issue #23), on Firefox ESR and WebKitGTK (e2e/engines/drivers.ts): the
 * explorer on the demo pair, a figure export, an analysis, the retrieval view, a Hub pair from the stand-in
 * Hub with its consent step, a fault (a load step that never settles), and a reload and a second visit.
 * Where the engine lacks something (WebGPU, JSPI, threads), the app must say so and work without it.
 * Chromium runs the full suite (e2e/*.spec.ts); the numbers here are checked against the same core in Node.
 */
import { readFileSync } from 'node:fs';
import { test as base, expect } from '@playwright/test';
import { parseTexts } from '../../src/core/datasets';
import { analyzeDataset } from '../../src/runtime/analyses';
import { referenceSession } from '../fixtures';
import { type EngineDriver, type EngineName, launch } from './drivers';

const APP = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const SENTENCE = 'A man is playing the guitar on a stage.';
const DEMO_POOLING = JSON.parse(readFileSync('models/demo/manifest.json', 'utf8')).embed.pooling;
const DEMO_FROM_HUB = `hub:hubtest/demo-embed;hubtest/demo-base;${DEMO_POOLING}`;
const link = (params: Record<string, string>) => `${APP}/?${new URLSearchParams(params)}`;

/** One browser for the whole contract (in file order, one worker): the second visit finds what the first one left. */
const test = base.extend<object, { lens: EngineDriver }>({
  lens: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use, workerInfo) => {
      const driver = await launch(workerInfo.project.metadata.engine as EngineName);
      console.log(`${driver.engine}: ${driver.version}`);
      await use(driver);
      await driver.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

/** Polls a page expression until it is truthy; on timeout, says what the status line said. */
async function until<T>(lens: EngineDriver, body: string, what: string, arg?: unknown, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let value: T | undefined;
  while (Date.now() < end) {
    // (Return plain values, never DOM nodes: the clients serialise those differently.)
    value = await lens.js<T>(body, arg).catch(() => undefined);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms / 1000} s (status: ${await statusText(lens)}; last value: ${JSON.stringify(value)})`);
}
const statusText = (lens: EngineDriver) => lens.js<string>(`return document.querySelector('[data-testid="model-status"]')?.textContent ?? '(no status)'`);
const ready = (lens: EngineDriver, ms = 60_000) =>
  until<string>(
    lens,
    `const t = document.querySelector('[data-testid="model-status"]')?.textContent; return t?.includes('ready') && t`,
    'the pair loads',
    null,
    ms,
  );
/** The token ids a column shows. */
const ids = (lens: EngineDriver, column: 'aligned-embed' | 'aligned-base') =>
  lens.js<number[]>(
    `return [...document.querySelectorAll('[data-testid="' + arg + '"] [data-testid="aligned-token"]')].map((el) => Number(el.getAttribute('data-token-id')))`,
    column,
  );
const untilIds = (lens: EngineDriver, column: 'aligned-embed' | 'aligned-base', expected: number[]) =>
  until(
    lens,
    `const got = [...document.querySelectorAll('[data-testid="' + arg.column + '"] [data-testid="aligned-token"]')].map((el) => el.getAttribute('data-token-id')).join(','); return got === arg.want`,
    `${column} shows the core's tokens`,
    { column, want: expected.join(',') },
  );
/** Sets an input's or a select's value as React hears it (the typing itself is not what these tests are about). */
const setValue = (lens: EngineDriver, testId: string, value: string) =>
  lens.js(
    `const el = document.querySelector('[data-testid="' + arg.testId + '"]');
     Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set.call(el, arg.value);
     el.dispatchEvent(new Event('input', { bubbles: true }));
     el.dispatchEvent(new Event('change', { bubbles: true }));`,
    { testId, value },
  );
const sliderValue = (lens: EngineDriver) => lens.js<number>(`return Number(document.querySelector('[data-testid="lambda-slider"]').value)`);

test("explorer: the core's tokens, the slider by mouse and by keyboard, the view kept in the URL across a reload", async ({ lens }) => {
  await lens.goto(link({ pair: 'demo', text: SENTENCE }));
  const status = await ready(lens);
  // No engine here offers a WebGPU adapter to a headless page: the app picks WASM and says so.
  expect(status).toContain('· wasm ·');
  const reference = await (await referenceSession()).align(1, SENTENCE, 10, 0);
  await untilIds(lens, 'aligned-embed', reference.embed.ids);
  await untilIds(lens, 'aligned-base', reference.base.ids);

  // The mouse: a click near the slider's right end moves λ up.
  const max = await lens.js<number>(`return Number(document.querySelector('[data-testid="lambda-slider"]').max)`);
  await lens.click('lambda-slider', 0.9);
  await until(lens, `return Number(document.querySelector('[data-testid="lambda-slider"]').value) > 0`, 'a click moves the slider');
  // The keyboard: End goes to the far end, and the base column follows the core's shift.
  await lens.press('lambda-slider', 'End');
  expect(await sliderValue(lens)).toBe(max);
  const shifted = (await referenceSession()).shift(1, max, 10)!.ids;
  expect(shifted).not.toEqual(reference.base.ids);
  await untilIds(lens, 'aligned-base', shifted);
  expect(await ids(lens, 'aligned-embed')).toEqual(reference.embed.ids);

  // The URL follows the view (debounced); a reload reopens it.
  await until(lens, `return new URLSearchParams(location.search).get('lambda') === String(arg)`, 'λ in the URL', max);
  await lens.reload();
  await ready(lens);
  expect(await sliderValue(lens)).toBe(max);
  expect(await lens.js<string>(`return document.querySelector('[data-testid="text-input"]').value`)).toBe(SENTENCE);
  await untilIds(lens, 'aligned-base', shifted);
});

test('a figure exports as SVG and PNG', async ({ lens }) => {
  // The file a download would save, caught where the app makes it (download.ts): the engines' WebDriver
  // clients offer no common way to read a downloaded file.
  await lens.js(
    `window.__exports = []; const make = URL.createObjectURL; URL.createObjectURL = (blob) => { window.__exports.push(blob); return make(blob); };`,
  );
  await lens.click('export-token-bars-svg');
  const svg = await until<string>(lens, `return window.__exports[0]?.text()`, 'the SVG export');
  expect(svg).toContain('<svg');
  expect(svg).toContain('Embedding Lens');
  await lens.click('export-token-bars-png');
  // (The PNG is drawn from an SVG made into a URL first: the PNG is the image/png blob.)
  const png = await until<number[]>(
    lens,
    `const blob = window.__exports.find((b) => b.type === 'image/png'); return blob && [...new Uint8Array(await blob.arrayBuffer())].slice(0, 8).concat(blob.size)`,
    'the PNG export',
  );
  expect(png.slice(0, 8)).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(png[8]).toBeGreaterThan(1000);
});

test('an analysis of 20 STS-B texts equals the core in Node', async ({ lens }) => {
  await lens.goto(link({ pair: 'demo', view: 'analysis' }));
  await ready(lens);
  await setValue(lens, 'analysis-limit', '20');
  await lens.click('analysis-run');
  await until(lens, `return !!document.querySelector('[data-testid="analysis-table"]')`, 'the analysis table', null, 90_000);
  const texts = parseTexts(readFileSync('public/data/stsb/sts-test.csv', 'utf8'), 'stsb').texts.slice(0, 20);
  const reference = await analyzeDataset((await referenceSession()).loaded, texts, { k: 10 });
  const cells = await lens.js<string[]>(`return [...document.querySelectorAll('[data-testid="analysis-row-embed"] td')].map((td) => td.textContent)`);
  const m = reference.report.metrics.embed;
  expect(cells.slice(1, 4).map(Number)).toEqual([m.hit10, m.lar, m.gar].map((x) => Number(x.toFixed(3))));
});

test('retrieval: the MS MARCO sample indexed and searched', async ({ lens }) => {
  await lens.goto(link({ pair: 'demo', view: 'retrieval' }));
  await ready(lens);
  await setValue(lens, 'retrieval-first-n', '50');
  await lens.click('retrieval-build');
  await until(
    lens,
    `return document.querySelector('[data-testid="retrieval-summary"]')?.textContent.includes('50 documents indexed')`,
    'the index',
    null,
    90_000,
  );
  const query = readFileSync('public/data/msmarco-sample/sampled500.tsv', 'utf8').split('\n')[0];
  expect(query.length).toBeGreaterThan(0);
  // The first judged query's own passage shares its rare words: BM25 ranks it first (e2e/retrieval.spec.ts).
  const { msmarcoSample } = await import('../../src/core/retrieval/collection');
  const sample = msmarcoSample(readFileSync('public/data/msmarco-sample/sampled500.tsv', 'utf8'), 50);
  await setValue(lens, 'retrieval-query', sample.queries[0].text);
  await until(
    lens,
    `return document.querySelector('[data-testid="retrieval-results-bm25"] [data-testid="retrieval-hit"]')?.getAttribute('data-doc-id') === 'p0'`,
    "BM25 ranks the query's passage first",
  ).catch(async (error) => {
    const shown = await lens.js(
      `return { query: document.querySelector('[data-testid="retrieval-query"]').value, bm25: [...document.querySelectorAll('[data-testid="retrieval-results-bm25"] [data-testid="retrieval-hit"]')].map((e) => e.getAttribute('data-doc-id')), text: document.querySelector('main')?.innerText.slice(0, 1500) }`,
    );
    console.log(JSON.stringify(shown));
    throw error;
  });
  await until(lens, `return !!document.querySelector('[data-testid="retrieval-results-sparse"] [data-testid="retrieval-hit"]')`, 'sparse hits');
});

test('what the engine lacks, the app says, and works without', async ({ lens }) => {
  await lens.goto(link({ pair: 'demo' }));
  await ready(lens);
  const engine = await lens.js<{ jspi: boolean; sab: boolean; isolated: boolean; gpu: boolean; caches: boolean }>(
    `return { jspi: typeof WebAssembly.Suspending === 'function', sab: typeof SharedArrayBuffer === 'function', isolated: crossOriginIsolated, gpu: !!navigator.gpu, caches: typeof caches === 'object' }`,
  );
  console.log(`${lens.engine} features: ${JSON.stringify(engine)}`);
  expect(engine.caches).toBe(true); // the Cache API keeps Hub files between visits on both
  // Threads: on where the page is isolated and has SharedArrayBuffer; WebKitGTK isolates but withholds it.
  const note = await lens.js<{ threads: string; text: string }>(
    `const el = document.querySelector('[data-testid="threads-note"]'); return { threads: el.dataset.threads, text: el.textContent }`,
  );
  expect(note.threads).toBe(String(engine.isolated && engine.sab));
  if (!engine.sab) expect(note.text).toContain('no SharedArrayBuffer');
  // WebGPU asked for by name where there is no adapter: the app says so, and the pair runs on WASM.
  if (!engine.gpu || lens.engine === 'webkit') {
    await lens.goto(link({ pair: 'demo', backend: 'webgpu' }));
    await until(
      lens,
      `return document.querySelector('[data-testid="backend-notice"]')?.textContent.includes('no WebGPU adapter')`,
      'the app says there is no WebGPU',
    );
    await until(lens, `return !!document.querySelector('[data-testid="aligned-base"] [data-testid="aligned-token"]')`, 'the pair runs on WASM');
  }
});

test('a Hub pair from the stand-in Hub, after the consent step', async ({ lens }) => {
  await lens.goto(link({ pair: DEMO_FROM_HUB, hub: HUB, text: SENTENCE }));
  await until(lens, `return !!document.querySelector('[data-testid="link-question"]')`, 'the link asks first');
  await lens.click('confirm-load');
  await ready(lens, 90_000);
  // With JSPI (Firefox) the bodies' weights go from the disk cache; without (WebKit) as bytes, the fallback.
  const jspi = await lens.js<boolean>(`return typeof WebAssembly.Suspending === 'function'`);
  const weights = await lens.js<string>(`return document.querySelector('[data-testid="model-status"]').dataset.weights`);
  expect(weights).toBe(jspi ? 'disk cache' : 'bytes');
  const reference = await (await referenceSession()).align(3, SENTENCE, 10, 0);
  await untilIds(lens, 'aligned-embed', reference.embed.ids);
});

test('a load step that never settles is named on the status line, with Retry and Cancel', async ({ lens }) => {
  // debug=stall-download: the first graph download never settles (worker/steps.ts), the watchdog waits 3 s.
  await lens.goto(link({ pair: 'demo', debug: 'stall-download' }));
  // On a busy machine another slow step may be named first (WebKit's WebAssembly compile has taken over 3 s): that
  // is the watchdog working too; the download it never finishes is named once that step is over.
  const status = await until<string>(
    lens,
    `const el = document.querySelector('[data-testid="model-status"]'); return el?.dataset.stalled && /model\\.onnx/.test(el.textContent) && el.textContent`,
    'the watchdog names the stalled download',
    null,
    30_000,
  );
  expect(status).toMatch(/loading… waiting for the download of .*model\.onnx for \d+ s…/);
  await lens.click('load-retry');
  // A fresh worker, the same pair: the same step is waited on again, and named again.
  await until(lens, `return document.querySelector('[data-testid="model-status"]')?.dataset.stalled === undefined`, 'Retry restarts the load', null, 5_000);
  await until(lens, `return document.querySelector('[data-testid="model-status"]')?.dataset.stalled`, 'named again after Retry', null, 30_000);
  expect(await lens.js<boolean>(`return !!document.querySelector('[data-testid="download-cancel"]')`)).toBe(true);
});

test('a reload and a second visit load again (a shared link, a Hub link), with nothing hanging', async ({ lens }) => {
  // WebKitGTK hung here, at "demo · loading…", on every other navigation (state/workerStart.ts).
  await lens.goto(link({ pair: 'demo', text: SENTENCE }));
  await ready(lens);
  for (let i = 0; i < 2; i++) {
    await lens.reload();
    console.log('reload', i, await ready(lens, 30_000));
  }
  console.log('new tab');
  await lens.newTab(link({ pair: 'demo', text: 'Two dogs run through the snow.' }));
  await ready(lens, 30_000);
  await lens.goto(link({ pair: DEMO_FROM_HUB, hub: HUB, text: SENTENCE }));
  await until(lens, `return !!document.querySelector('[data-testid="link-question"]')`, 'the link asks first');
  await lens.click('confirm-load');
  await ready(lens, 30_000);
});
