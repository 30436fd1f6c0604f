/**
 * A real-size pair in the tab: the catalog's `qwen3-0.6b` pair at Qwen3-0.6B's real shapes (random weights),
 * built as the Hub's exports are (tools/fused/build.py realsize: GroupQueryAttention / MultiHeadAttention,
 * fused skip-norms, q8 MatMulInteger, q4f16 MatMulNBits; into .cache/realsize/fused-hub when missing), served
 * by the stand-in Hub (tools/hub/hubServer.ts) and loaded by the built app in Debian's Chromium on WASM, through
 * the app's real Hub path (`?pair=qwen3-0.6b&hub=…&dtype=q8`, or `--dtype=q4f16`). Measures load (cold: from the server; warm: the browser's caches),
 * one update of a 20-token text against transformers.js alone running the same two bodies in the same page,
 * the slider, the tab's peak memory from outside the page (the renderer process, which runs the page's
 * workers too: /proc/<pid>/status VmHWM, pids from CDP) minus an empty page's against the downloaded bytes,
 * cancel during a 100-text analysis, the Layers view (opening it → all 28 rows, and the memory it adds),
 * main-thread long tasks, and what fp32 does. Ends with one JSON line.
 *
 *   npm run bench -- realsize [--dtype=q8|q4f16] [--no-build] [--port=4780] [--hub-port=4781] [--repeats=8] [--skip-direct]
 *   npm run bench -- realsize --slider-only   (the first and a later visit's slider, nothing else: one JSON line)
 *   npm run bench -- realsize --threads=N     (onnxruntime's threads; the app's own choice without it)
 *   npm run bench -- realsize --slider-only --batch=N [--backend=webgpu]   (the PC1 sample's texts per run, on a backend)
 *   npm run bench -- realsize --browser=firefox|webkit   (Debian's Firefox ESR or WebKitGTK: bench/realsizeEngines.ts)
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { build as viteBuild } from 'vite';
import config from '../playwright.config';
import { EARLY_BATCH } from '../src/runtime/direction';
import { QWEN3_QUERY_TEMPLATE } from '../src/shared/catalog';
import { ortThreads } from '../src/worker/workerOptions';
import { startHubServer } from '../tools/hub/hubServer';
import { publishQwen3Extras } from '../tools/hub/testRepos';
import { header, inputToPaint, median, ms, quantile, type Row, ratio, round, sleep, table } from './common';

/** A real-size update takes seconds: how long to wait for a column to change. */
const REALSIZE_TIMEOUT_MS = 120_000;

const ROOT = resolve(import.meta.dirname, '..');
export const HUB_ROOT = resolve(ROOT, '.cache/realsize/fused-hub');
export type BenchDtype = 'q8' | 'q4f16' | 'fp32';
const GRAPH_FILE: Record<BenchDtype, string[]> = {
  q8: ['onnx/model_quantized.onnx'],
  q4f16: ['onnx/model_q4f16.onnx'],
  fp32: ['onnx/model.onnx', 'onnx/model.onnx_data'],
};
const OUT_DIR = 'dist-bench';
const EMBED = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';
const BASE = 'onnx-community/Qwen3-0.6B-ONNX';
/** Twenty tokens each with the Qwen3 tokenizer (the bench prints the counts). */
export const TEXTS = [
  'A man is playing the guitar on a stage while the crowd sings along with every song he plays.',
  'Two dogs are running through a snowy field, chasing a red ball that their owner threw far away.',
  'The old lighthouse keeper slowly climbed the spiral stairs every evening to light the lamp for passing ships.',
];
export const TEXT_DEBOUNCE_MS = 150; // src/state/store.ts: the explorer waits this long after typing stops
const LOAD_TIMEOUT_MS = 30 * 60_000;
/** Long tasks this soon after navigation are the app's start (bundle evaluation, first render). */
const STARTUP_MS = 2000;
export const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const THREADS = arg('threads', '');
/** Texts per run while the PC1 sample is read before the slider moves (the page's `?batch=N`); the app's EARLY_BATCH without it. */
const BATCH = arg('batch', '');
/** The backend the link asks for: WASM, or WebGPU where the machine has a GPU (Chromium's flags: playwright.config.ts). */
const BACKEND = arg('backend', 'wasm');

export function log(line: string): void {
  process.stderr.write(`[realsize ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/**
 * Builds the pair if it is not there yet (q8, q4f16 and fp32: fp32 only to be refused); returns how long that
 * took (0 when it was there). Built aside and renamed into place; a build whose bodies are written is finished.
 */
export function ensurePair(): number {
  if (existsSync(join(HUB_ROOT, 'realsize.json'))) return 0;
  const building = `${HUB_ROOT}.tmp`;
  log(`building the Qwen3-0.6B-shaped fused pair into ${HUB_ROOT} (q8, q4f16 and fp32: 8 GB on disk)…`);
  const started = performance.now();
  if (!existsSync(join(building, 'qwen3-head.json'))) {
    execSync(`/usr/bin/python3 tools/fused/build.py realsize ${building} --dtypes q8,q4f16,fp32`, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
  }
  publishQwen3Extras(building, building);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(
    join(building, 'realsize.json'),
    JSON.stringify({ layers: 28, hidden: 1024, builder: 'tools/fused/build.py realsize', seconds: Math.round(seconds) }),
  );
  renameSync(building, HUB_ROOT);
  return performance.now() - started;
}

const size = (file: string) => statSync(join(HUB_ROOT, file)).size;

/** What a load downloads: both bodies' graphs, W's tensor (the app reads only it, by Range), tokenizers and configs. */
export function downloadedBytes(dtype: BenchDtype): number {
  const bodies = [EMBED, BASE].flatMap((repo) => GRAPH_FILE[dtype].map((f) => size(`${repo}/${f}`)));
  const small = [EMBED, BASE].flatMap((repo) => ['tokenizer.json', 'tokenizer_config.json', 'config.json'].map((f) => size(`${repo}/${f}`)));
  const w = 151_936 * 1024 * 2;
  return [...bodies, ...small, w].reduce((a, b) => a + b, 0);
}

export function buildApp(skip: boolean): void {
  if (skip && existsSync(resolve(ROOT, OUT_DIR, 'index.html'))) return;
  log(`building the app into ${OUT_DIR}/ (vite build)…`);
  execSync(`npx vite build --outDir ${OUT_DIR} --emptyOutDir`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function bundle(entry: string): Promise<string> {
  const result = await viteBuild({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, rolldownOptions: { input: resolve(ROOT, entry), output: { format: 'es', codeSplitting: false } } },
  });
  const output = (Array.isArray(result) ? result[0] : result) as { output: { type: string; code?: string }[] };
  const code = output.output.find((o) => o.type === 'chunk')?.code;
  if (!code) throw new Error(`could not bundle ${entry}`);
  return code;
}

export const EMPTY_PAGE = '__realsize_empty.html';
const DIRECT_SCRIPT = '__realsize_direct.js';

export async function stage(): Promise<{ mjs: string; wasm: string }> {
  const dir = resolve(ROOT, OUT_DIR);
  writeFileSync(resolve(dir, EMPTY_PAGE), '<!doctype html><title>empty</title>');
  const code = await bundle('bench/realsizeDirect.ts');
  writeFileSync(resolve(dir, DIRECT_SCRIPT), code);
  const assets = readdirSync(resolve(dir, 'assets'));
  // The app's WASM-only onnxruntime build (src/worker/lens.worker.ts picks it on WASM).
  const find = (suffix: string) =>
    assets.find((f) => f.startsWith('ort-wasm-simd-threaded') && !f.includes('asyncify') && !f.includes('jsep') && f.endsWith(suffix));
  const [mjs, wasm] = [find('.mjs'), find('.wasm')];
  if (!mjs || !wasm) throw new Error(`no WASM-only onnxruntime files in ${OUT_DIR}/assets`);
  return { mjs: `/assets/${mjs}`, wasm: `/assets/${wasm}` };
}

export async function preview(port: number): Promise<ChildProcess> {
  const busy = await fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`port ${port} is in use: pass --port=N`);
  const vite = resolve(ROOT, 'node_modules/vite/bin/vite.js');
  const server = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', OUT_DIR], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return server;
    await sleep(200);
  }
  server.kill();
  throw new Error(`vite preview did not start on port ${port}`);
}

const launchOptions = () => {
  const options = config.projects?.find((p) => p.name === 'wasm')?.use?.launchOptions;
  if (!options) throw new Error('playwright.config.ts has no wasm project');
  return options;
};

/**
 * Chromium with a fresh on-disk profile, as a user's browser has. (An incognito context, Playwright's
 * default, keeps the Cache API in memory and refuses entries of 0.6 GB: its "warm" load downloaded the
 * bodies again, and the app fell back to handing onnxruntime the weights as bytes.)
 */
interface Profile {
  context: BrowserContext;
  dir: string;
  close(): Promise<void>;
}

async function launchProfile(): Promise<Profile> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-realsize-'));
  const context = await chromium.launchPersistentContext(dir, launchOptions());
  return {
    context,
    dir,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The renderer processes of this profile's browser, with their peak and current resident memory (/proc).
 * Chromium rewrites a child's command line into one string, so it is matched as text.
 */
async function renderers(profile: Profile): Promise<{ pid: number; hwmMb: number; rssMb: number }[]> {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => {
      try {
        return { pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ') };
      } catch {
        return { pid: Number(name), cmdline: '' };
      }
    })
    .filter((p) => p.cmdline.includes('--type=renderer') && p.cmdline.includes(`--user-data-dir=${profile.dir} `))
    .flatMap((p) => {
      try {
        const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
        const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
        return [{ pid: p.pid, hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 }];
      } catch {
        return [];
      }
    });
}

/**
 * The renderers' largest resident size, sampled every 250 ms: VmHWM alone misses peaks (the kernel
 * updates it only when memory is unmapped, and V8 / PartitionAlloc give pages back with madvise).
 */
function rssSampler(profile: Profile): { peakMb: () => number; stop: () => void } {
  let peak = 0;
  let pids: number[] = [];
  let busy = false;
  const refresh = async () => {
    pids = (await renderers(profile).catch(() => [])).map((r) => r.pid);
  };
  let ticks = 0;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    if (ticks++ % 20 === 0) await refresh();
    for (const pid of pids) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = Math.max(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        peak = Math.max(peak, kb / 1024);
      } catch {
        // the process has ended
      }
    }
    busy = false;
  }, 250);
  return { peakMb: () => peak, stop: () => clearInterval(timer) };
}

const PROBES = `
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
  const observer = new MutationObserver(() => {
    if (document.querySelector('[data-testid="aligned-base"] [data-testid="aligned-token"]') && document.querySelector('[data-testid="aligned-embed"] [data-testid="aligned-token"]')) {
      window.__firstTokens = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  // The slider is enabled once u₁ is known: a Hub pair embeds its PC1 sample after the tokens are shown.
  const sliderObserver = new MutationObserver(() => {
    const v1 = document.querySelector('[data-testid="lambda-v1"]');
    if (window.__firstTokens !== undefined && v1 && !v1.disabled) {
      window.__directionReady = performance.now();
      sliderObserver.disconnect();
    }
  });
  sliderObserver.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
`;

/** Navigation → the slider enabled (u₁ estimated from the pair's sample), page clock. */
async function directionReady(page: Page): Promise<number> {
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const at = (await page.evaluate('window.__directionReady')) as number | undefined;
    if (at !== undefined) return at;
    const error = await page.getByTestId('direction-status').filter({ hasText: 'could not' }).count();
    if (error) throw new Error(`PC1 could not be estimated: ${await page.getByTestId('direction-status').textContent()}`);
    await sleep(500);
  }
  throw new Error(`the slider was not ready after ${LOAD_TIMEOUT_MS / 60_000} min`);
}

/**
 * Waits until the browser holds the sample's spectrum for the next visit (src/runtime/modelCache.ts keptSpectra),
 * and says how long after the slider that was: IndexedDB writes queue behind the 0.3 GB W the first visit keeps,
 * so a page closed at once may leave no spectrum, and the next visit embeds the sample again.
 */
async function spectrumKept(page: Page): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < LOAD_TIMEOUT_MS) {
    const count = await page.evaluate(`new Promise((resolve) => {
      const open = indexedDB.open('embedding-lens-spectra');
      open.onerror = () => resolve(0);
      open.onupgradeneeded = () => open.transaction.abort(); // not there yet: leave its creation to the app
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('spectra')) { db.close(); resolve(0); return; }
        const count = db.transaction('spectra').objectStore('spectra').count();
        count.onsuccess = () => { db.close(); resolve(count.result); };
        count.onerror = () => { db.close(); resolve(0); };
      };
    })`);
    if (Number(count) > 0) return Date.now() - started;
    await sleep(250);
  }
  throw new Error('the sample spectrum was not kept');
}

/**
 * Navigation → both columns show tokens (page clock), or the error the app shows. A link that names a Hub
 * other than huggingface.co, or a large download, asks first (src/state/store.ts): the bench says yes at once,
 * as a user would, and counts the questions.
 */
async function openPair(page: Page, port: number, hub: string, dtype: BenchDtype, text: string): Promise<{ ms?: number; error?: string; questions: string[] }> {
  const query = new URLSearchParams({ pair: 'qwen3-0.6b', hub, dtype, backend: BACKEND, text });
  if (BATCH) query.set('batch', BATCH);
  // onnxruntime's threads as the app picks them (src/worker/workerOptions.ts), or as --threads=N asks.
  if (THREADS) query.set('threads', THREADS);
  await page.goto(`http://127.0.0.1:${port}/?${query}`);
  const questions: string[] = [];
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  let nextReport = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (Date.now() > nextReport) {
      // A slow load says what it waits on (the status line names a stalled step: src/state/watchdog.ts).
      nextReport += 30_000;
      log(
        `still loading: ${(
          await page
            .getByTestId('model-status')
            .textContent()
            .catch(() => '?')
        )?.trim()}`,
      );
    }
    const state = (await page.evaluate(`(() => {
      if (window.__firstTokens !== undefined) return { tokens: window.__firstTokens };
      const error = document.querySelector('[data-testid="error"]');
      if (error) return { error: error.textContent };
      const confirm = document.querySelector('[data-testid="confirm-load"]');
      if (confirm) { const text = confirm.closest('[role="alert"]')?.textContent ?? ''; confirm.click(); return { asked: text }; }
      return {};
    })()`)) as { tokens?: number; error?: string; asked?: string };
    if (state.tokens !== undefined) return { ms: state.tokens, questions };
    if (state.error !== undefined) return { error: state.error.replace(/×\s*$/, '').trim(), questions };
    if (state.asked !== undefined) questions.push(state.asked.trim().slice(0, 160));
    await sleep(state.asked !== undefined ? 50 : 200);
  }
  return { error: `no tokens after ${LOAD_TIMEOUT_MS / 60_000} min`, questions };
}

/**
 * Opens the Layers view, times until it shows every layer's row (or says why it cannot), measures what it adds
 * to the renderer's RSS, and closes it.
 */
async function layerView(page: Page, profile: Profile): Promise<{ ms: number; rows: number; addedMb: number; error?: string }> {
  await page.getByTestId('view-explorer').click();
  const before = Math.max(...(await renderers(profile)).map((r) => r.rssMb));
  const sampler = rssSampler(profile);
  const started = performance.now();
  await page.getByTestId('layer-details').locator('summary').click();
  const outcome = await page
    .waitForFunction(
      (layers) => {
        const failed = document.querySelector('[data-testid="layer-error"], [data-testid="layer-unavailable"]');
        if (failed) return failed.textContent || 'failed';
        const done =
          document.querySelectorAll('[data-testid="layer-row"]').length >= layers && !document.querySelector('[data-testid="layer-view"][aria-busy="true"]');
        return done ? 'done' : false;
      },
      28,
      { timeout: LAYERS_TIMEOUT_MS, polling: 100 },
    )
    .then((handle) => handle.jsonValue() as Promise<string>)
    .catch(() => `not done after ${LAYERS_TIMEOUT_MS / 1000} s`);
  const ms = performance.now() - started;
  await sleep(1000);
  const peak = Math.max(sampler.peakMb(), ...(await renderers(profile)).map((r) => r.rssMb));
  sampler.stop();
  const rows = await page.getByTestId('layer-row').count();
  await page.getByTestId('layer-details').locator('summary').click();
  return { ms, rows, addedMb: peak - before, ...(outcome !== 'done' && { error: `${outcome} (${rows} rows shown)` }) };
}
/** The Layers view at real size runs both bodies once more with 28 extra outputs each, after building those sessions. */
const LAYERS_TIMEOUT_MS = 600_000;

/** Starts a 100-text analysis, presses Cancel once it has run `after` ms, and times until the view is idle again. */
async function cancelLatency(page: Page, after: number): Promise<{ ms: number; done: number; message: string }> {
  await page.getByTestId('view-analysis').click();
  await page.getByTestId('analysis-limit').fill('100');
  await page.getByTestId('analysis-run').click();
  await page.getByTestId('analysis-cancel').waitFor({ timeout: 60_000 });
  await sleep(after);
  return (await page.evaluate(`new Promise((resolve) => {
    const progress = () => document.querySelector('[data-testid="analysis-progress"]')?.getAttribute('value') ?? '?';
    const done = progress();
    const started = performance.now();
    document.querySelector('[data-testid="analysis-cancel"]').click();
    const check = () => {
      const run = document.querySelector('[data-testid="analysis-run"]');
      const message = document.querySelector('[data-testid="analysis-message"]')?.textContent ?? '';
      if (run && !run.disabled && !document.querySelector('[data-testid="analysis-progress"]')) resolve({ ms: performance.now() - started, done: Number(done), message });
      else requestAnimationFrame(check);
    };
    check();
  })`)) as { ms: number; done: number; message: string };
}

/** transformers.js alone in a module worker of the same page (bench/realsizeDirect.ts): load, then one update per call. */
async function directCall<T>(page: Page, message: object): Promise<T | string> {
  return (await page.evaluate(
    `new Promise((resolve) => {
      window.__direct ??= new Worker('/${DIRECT_SCRIPT}', { type: 'module' });
      window.__direct.onmessage = (e) => resolve(e.data);
      window.__direct.onerror = (e) => resolve('worker error: ' + e.message);
      window.__direct.postMessage(${JSON.stringify(message)});
    })`,
  )) as T | string;
}

export async function run(args: string[]): Promise<void> {
  const engine = arg('browser', 'chromium');
  if (engine !== 'chromium') throw new Error(`--browser=${engine}: chromium here; firefox and webkit go to bench/realsizeEngines.ts (bench/run.ts)`);
  const port = Number(arg('port', '4780'));
  const hubPort = Number(arg('hub-port', String(port + 1)));
  const repeats = Number(arg('repeats', '8'));
  const dtype = arg('dtype', 'q8') as BenchDtype;
  if (dtype !== 'q8' && dtype !== 'q4f16') throw new Error(`--dtype=${dtype}: the bench measures q8 or q4f16 (fp32 is only checked to be refused)`);
  if (BACKEND !== 'wasm' && !args.includes('--slider-only'))
    throw new Error(`--backend=${BACKEND}: only with --slider-only (the full run's baselines are on WASM)`);
  header(
    'realsize',
    `Qwen3-0.6B-shaped pair (28 layers, hidden 1024, vocab 151,669, random weights) in Chromium on ${BACKEND === 'wasm' ? 'WASM' : BACKEND} via the stand-in Hub, ports ${port}/${hubPort}`,
  );
  const buildMs = ensurePair();
  const built = JSON.parse(readFileSync(join(HUB_ROOT, 'realsize.json'), 'utf8'));
  process.stdout.write(
    `# pair: ${HUB_ROOT} (${buildMs ? `built now in ${(buildMs / 1000).toFixed(0)} s` : `built earlier in ${built.seconds} s`}); ${dtype} download ${(downloadedBytes(dtype) / 1e6).toFixed(0)} MB, fp32 ${(downloadedBytes('fp32') / 1e6).toFixed(0)} MB\n`,
  );
  buildApp(args.includes('--no-build'));
  const paths = await stage();
  const hubServer = await startHubServer({ roots: [HUB_ROOT], port: hubPort });
  const server = await preview(port);
  const hub = hubServer.url;
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  let browser: Profile | undefined;
  try {
    // An empty page of the app's origin: the renderer's own footprint.
    browser = await launchProfile();
    const emptyPage = await browser.context.newPage();
    await emptyPage.goto(`http://127.0.0.1:${port}/${EMPTY_PAGE}`);
    const emptySampler = rssSampler(browser);
    await sleep(3000);
    emptySampler.stop();
    const empty = Math.max(emptySampler.peakMb(), ...(await renderers(browser)).map((r) => r.hwmMb));
    await browser.close();
    log(`empty page: renderer peak ${empty.toFixed(0)} MiB`);

    browser = await launchProfile();
    const context = browser.context;
    await context.addInitScript({ content: PROBES });
    for (const blank of context.pages()) await blank.close();
    let page = await context.newPage();
    const sampler = rssSampler(browser);
    page.on('console', (m) => m.type() === 'error' && log(`page console: ${m.text().slice(0, 200)}`));
    log(`cold load (${dtype}, from the stand-in Hub)…`);
    const cold = await openPair(page, port, hub, dtype, TEXTS[0]);
    if (cold.error) throw new Error(`the ${dtype} pair did not load: ${cold.error}`);
    const coldWeights = await page.getByTestId('model-status').getAttribute('data-weights');
    log(
      `cold load: ${cold.ms?.toFixed(0)} ms; status "${await page.getByTestId('model-status').textContent()}"; weights from ${coldWeights}; questions answered: ${cold.questions.join(' | ') || 'none'}`,
    );
    const afterLoad = Math.max(sampler.peakMb(), ...(await renderers(browser)).map((r) => r.hwmMb));

    // The PC1 sample is being embedded now, behind the page's requests: one text change meanwhile.
    const duringSample = await inputToPaint(page, 'text-input', TEXTS[2], 'aligned-embed', REALSIZE_TIMEOUT_MS);
    log(`update while the PC1 sample is embedded: ${duringSample[0].toFixed(0)} ms; waiting for the slider…`);
    const direction = await directionReady(page);
    log(`slider ready (PC1 from the sample) ${direction.toFixed(0)} ms after navigation, ${(direction - cold.ms!).toFixed(0)} ms after the first tokens`);

    if (args.includes('--slider-only')) {
      // The first and a later visit's slider alone (an A/B of the sample's batching takes two builds of minutes, not two full runs).
      log(`spectrum kept for the next visit ${await spectrumKept(page)} ms after the slider was seen`);
      await page.close();
      const warmPage = await context.newPage();
      const warm = await openPair(warmPage, port, hub, dtype, TEXTS[1]);
      const warmSlider = warm.ms ? await directionReady(warmPage) : Number.NaN;
      log(`warm: first tokens ${warm.ms?.toFixed(0) ?? warm.error} ms, slider ready ${warmSlider.toFixed(0)} ms after navigation`);
      process.stdout.write(
        `${JSON.stringify({
          dtype,
          backend: BACKEND,
          early_batch: Number(BATCH) || EARLY_BATCH,
          threads: THREADS || 'app default',
          load_cold_ms: round(cold.ms!, 0),
          slider_ready_ms: round(direction, 0),
          slider_after_tokens_ms: round(direction - cold.ms!, 0),
          load_warm_ms: round(warm.ms ?? Number.NaN, 0),
          slider_ready_warm_ms: round(warmSlider, 0),
        })}\n`,
      );
      return;
    }

    log('slider…');
    const slider = page.getByTestId('lambda-slider');
    const [min, max] = [(await slider.getAttribute('min')) ?? '-1', (await slider.getAttribute('max')) ?? '1'];
    const ticks: [number, number][] = [];
    for (let i = 0; i < 40; i++) ticks.push(await inputToPaint(page, 'lambda-slider', i % 2 === 0 ? max : min, 'aligned-base', REALSIZE_TIMEOUT_MS));

    log('cancel during a 100-text analysis…');
    const cancel = await cancelLatency(page, 4000);
    log(`cancel: ${cancel.ms.toFixed(0)} ms (${cancel.done}% done; "${cancel.message}")`);
    // The view is idle at once; the model run in flight finishes in the worker first: a text typed right away waits for it.
    await page.getByTestId('view-explorer').click();
    const afterCancel = await inputToPaint(page, 'text-input', TEXTS[0], 'aligned-embed', REALSIZE_TIMEOUT_MS);
    log(`text change right after the cancel → tokens: ${afterCancel[0].toFixed(0)} ms`);
    // The tab's peak before transformers.js alone loads its own copy of the pair into the same page.
    const procs = await renderers(browser);
    const peak = Math.max(sampler.peakMb(), ...procs.map((r) => r.hwmMb));
    sampler.stop();
    const current = Math.max(...procs.map((r) => r.rssMb));
    log(`renderer peak ${peak.toFixed(0)} MiB (after load ${afterLoad.toFixed(0)}), now ${current.toFixed(0)} MiB`);

    // The Layers view on the current text: every layer's pooled state of both models through the final norm and W.
    log('Layers view…');
    const layers = await layerView(page, browser);
    log(
      layers.error
        ? `Layers view: ${layers.error} after ${layers.ms.toFixed(0)} ms`
        : `Layers view: all ${layers.rows} rows ${layers.ms.toFixed(0)} ms after opening it; the renderer's RSS +${layers.addedMb.toFixed(0)} MiB at most`,
    );

    // Updates, the app's and transformers.js alone's in turn, so that both meet the same load on this shared machine.
    const updates: [number, number][] = [];
    const tjsUpdates: number[] = [];
    let direct: { loadMs: number; tokens: number[] } | string = 'skipped (--skip-direct)';
    if (!args.includes('--skip-direct')) {
      log('transformers.js alone in the same page: load…');
      const threads = ortThreads({ workerName: THREADS ? `threads=${THREADS}` : '', isolated: true, cores: cpus().length });
      const request = { hub, embed: EMBED, base: BASE, dtype, template: QWEN3_QUERY_TEMPLATE, texts: TEXTS, paths, threads };
      direct = await directCall<{ loadMs: number; tokens: number[] }>(page, { cmd: 'load', request });
      log(typeof direct === 'string' ? direct : `transformers.js alone: load ${direct.loadMs.toFixed(0)} ms, tokens ${direct.tokens.join('/')}`);
    }
    log('updates, in turn with transformers.js alone…');
    for (let i = 0; i < repeats; i++) {
      const text = TEXTS[(i + 1) % TEXTS.length];
      updates.push(await inputToPaint(page, 'text-input', text, 'aligned-embed', REALSIZE_TIMEOUT_MS));
      if (typeof direct !== 'string') {
        const ms = await directCall<number>(page, { cmd: 'update', text });
        if (typeof ms === 'number') tjsUpdates.push(ms);
      }
    }
    log(
      `updates (input → tokens, incl. ${TEXT_DEBOUNCE_MS} ms debounce): ${updates.map((u) => u[0].toFixed(0)).join(', ')} ms; transformers.js alone: ${tjsUpdates.map((u) => u.toFixed(0)).join(', ')} ms`,
    );
    const longTasks = (await page.evaluate('window.__longTasks')) as { start: number; duration: number }[];
    await page.close();

    let warm: Awaited<ReturnType<typeof openPair>> = { error: 'skipped (--skip-warm)', questions: [] };
    let warmPeak = Number.NaN;
    let warmWeights: string | null = null;
    let warmSlider = Number.NaN;
    if (!args.includes('--skip-warm')) {
      log('warm load (browser caches)…');
      page = await context.newPage();
      // A new tab (its own renderer; the first one has closed): the warm load's own peak.
      const warmSampler = rssSampler(browser);
      warm = await openPair(page, port, hub, dtype, TEXTS[1]);
      warmWeights = await page.getByTestId('model-status').getAttribute('data-weights');
      if (warm.ms) {
        warmSlider = await directionReady(page);
        const source = await page
          .getByText(/u₁ and v₁ from/)
          .textContent()
          .catch(() => 'no direction shown');
        log(`warm: the slider's direction: ${source?.slice(0, 120)}`);
        log(`warm: slider ready ${warmSlider.toFixed(0)} ms after navigation, ${(warmSlider - warm.ms).toFixed(0)} ms after the first tokens`);
      }
      await sleep(1000);
      warmPeak = Math.max(warmSampler.peakMb(), ...(await renderers(browser)).map((r) => r.hwmMb)) - empty;
      warmSampler.stop();
      log(`warm load: ${warm.ms?.toFixed(0) ?? warm.error} ms; renderer peak ${warmPeak.toFixed(0)} MiB over the empty page`);
      await page.close();
    }

    log('fp32…');
    page = await context.newPage();
    const fp32Started = performance.now();
    const fp32 = await openPair(page, port, hub, 'fp32', TEXTS[0]);
    const fp32Ms = performance.now() - fp32Started;
    log(`fp32: ${fp32.error ? `error after ${fp32Ms.toFixed(0)} ms: ${fp32.error}` : `loaded in ${fp32.ms?.toFixed(0)} ms`}`);
    await page.close();

    const modelMb = downloadedBytes(dtype) / 2 ** 20;
    const update = median(updates.map((u) => u[0])) - TEXT_DEBOUNCE_MS;
    const tjs = tjsUpdates.length ? median(tjsUpdates) : Number.NaN;
    const sliderP95 = quantile(
      ticks.map((t) => t[0]),
      0.95,
    );
    const sliderFrameP95 = quantile(
      ticks.map((t) => t[1]),
      0.95,
    );
    // The app's start (bundle evaluation, first render) is timed apart from the tasks while it is in use.
    const startup = longTasks.filter((t) => t.start < STARTUP_MS);
    const inUse = longTasks.filter((t) => t.start >= STARTUP_MS);
    const maxLong = Math.max(0, ...inUse.map((t) => t.duration));
    const maxStartup = Math.max(0, ...startup.map((t) => t.duration));
    rows.push(
      {
        what: 'load → both columns, cold (from the server)',
        value: ms(cold.ms!),
        baseline: typeof direct === 'string' ? '—' : `transformers.js alone, load only ${ms(direct.loadMs)}`,
        ratio: typeof direct === 'string' ? '—' : ratio(cold.ms!, direct.loadMs),
        note: `the PC1 sample is embedded after; weights read by onnxruntime from: ${coldWeights}`,
      },
      {
        what: 'load → slider ready (u₁ from the 200-text sample)',
        value: ms(direction),
        baseline: `first tokens ${ms(cold.ms!)}`,
        ratio: ratio(direction, cold.ms!),
        note: 'the base model alone, one text per run, behind the page’s requests, until u₁ settles; then the embedder on 8 texts for v₁',
      },
      {
        what: 'load → slider ready, warm (the spectrum kept from the cold visit)',
        value: Number.isNaN(warmSlider) ? '—' : ms(warmSlider),
        baseline: warm.ms ? `first tokens, warm ${ms(warm.ms)}` : '—',
        ratio: warm.ms && !Number.isNaN(warmSlider) ? ratio(warmSlider, warm.ms) : '—',
        note: 'target: with the first tokens',
      },
      {
        what: 'update while the sample is embedded',
        value: ms(duringSample[0] - TEXT_DEBOUNCE_MS),
        baseline: `update after it ${ms(update)}`,
        ratio: ratio(duringSample[0] - TEXT_DEBOUNCE_MS, update),
        note: 'waits for the one background run going on',
      },
      {
        what: 'load → both columns, warm (browser caches)',
        value: warm.ms ? ms(warm.ms) : '—',
        baseline: `cold ${ms(cold.ms!)}`,
        ratio: warm.ms ? ratio(warm.ms, cold.ms!) : '—',
        note: warm.error?.slice(0, 80) ?? `weights read by onnxruntime from: ${warmWeights}`,
      },
      {
        what: 'update, 20-token text (both bodies, 2 × W·h, top-k)',
        value: ms(update),
        baseline: `transformers.js alone, 2 bodies ${ms(tjs)}`,
        ratio: ratio(update, tjs),
        note: `target ≤ 1.1×; input → DOM minus the ${TEXT_DEBOUNCE_MS} ms debounce`,
      },
      {
        what: 'update incl. debounce → next frame',
        value: ms(median(updates.map((u) => u[1]))),
        baseline: `transformers.js alone ${ms(tjs)}`,
        ratio: ratio(median(updates.map((u) => u[1])), tjs),
      },
      {
        what: 'slider input → base column changed, p95',
        value: ms(sliderP95),
        baseline: 'target 4 ms',
        ratio: ratio(sliderP95, 4),
        note: `p50 ${ms(median(ticks.map((t) => t[0])))}; → next frame p95 ${ms(sliderFrameP95)}`,
      },
      {
        what: 'peak tab memory (renderer RSS every 250 ms and VmHWM − empty page)',
        value: `${(peak - empty).toFixed(0)} MiB`,
        baseline: `pair as downloaded ${modelMb.toFixed(0)} MiB`,
        ratio: ratio(peak - empty, modelMb),
        note: `target ≤ 1.3×; empty page ${empty.toFixed(0)} MiB; peak until first tokens ${(afterLoad - empty).toFixed(0)} MiB`,
      },
      {
        what: 'peak tab memory, warm load in a new tab (from the cache) − empty page',
        value: `${warmPeak.toFixed(0)} MiB`,
        baseline: `pair as downloaded ${modelMb.toFixed(0)} MiB`,
        ratio: ratio(warmPeak, modelMb),
        note: 'the load alone: no analysis, no sample',
      },
      {
        what: 'cancel during a 100-text analysis → view idle',
        value: ms(cancel.ms),
        baseline: 'target 1 s',
        ratio: ratio(cancel.ms, 1000),
        note: `pressed at ${cancel.done}% done`,
      },
      {
        what: 'a text typed right after that cancel → tokens',
        value: ms(afterCancel[0] - TEXT_DEBOUNCE_MS),
        baseline: `update ${ms(update)}`,
        ratio: ratio(afterCancel[0] - TEXT_DEBOUNCE_MS, update),
        note: 'waits for the model run that was in flight (one body, one text)',
      },
      {
        what: 'longest main-thread task in use (load, sample, slider, analysis, updates)',
        value: ms(maxLong),
        baseline: 'target 200 ms',
        ratio: ratio(maxLong, 200),
        note: `${inUse.filter((t) => t.duration > 200).length} over 200 ms of ${inUse.length} long tasks after the first ${STARTUP_MS / 1000} s`,
      },
      {
        what: 'longest main-thread task at start (first 2 s: bundle, first render)',
        value: ms(maxStartup),
        baseline: 'target 200 ms',
        ratio: ratio(maxStartup, 200),
        note: `${startup.length} long tasks`,
      },
      {
        what: 'Layers view: opening it → all 28 rows (one text, both models)',
        value: layers.error ? `${layers.error.slice(0, 60)} (${ms(layers.ms)})` : ms(layers.ms),
        baseline: `update ${ms(update)}`,
        ratio: ratio(layers.ms, update),
        note: `the renderer's RSS +${layers.addedMb.toFixed(0)} MiB at most while it is built`,
      },
      {
        what: `fp32 instead of ${dtype}`,
        value: fp32.error ? 'refused' : ms(fp32.ms!),
        baseline: `${dtype} cold ${ms(cold.ms!)}`,
        ratio: '—',
        note: (fp32.error ?? '').slice(0, 160),
      },
    );
    Object.assign(results, {
      warmPeak,
      layers: built.layers,
      hidden: built.hidden,
      direction,
      warmSlider,
      afterCancel: afterCancel[0] - TEXT_DEBOUNCE_MS,
      update,
      tjs,
      sliderP95,
      peak: peak - empty,
      modelMb,
      cancel: cancel.ms,
      warm: warm.ms,
      cold: cold.ms,
      fp32: fp32.error ?? 'loaded',
      maxLong,
      layersMs: layers.ms,
      layersMb: layers.addedMb,
    });
    if (fp32.error) process.stdout.write(`# fp32: the user sees: ${fp32.error}\n`);
    if (typeof direct !== 'string') process.stdout.write(`# text tokens (Qwen3 tokenizer, no special tokens): ${direct.tokens.join(', ')}\n`);
    else process.stdout.write(`# transformers.js alone: ${direct}\n`);
  } finally {
    await browser?.close();
    server.kill();
    await hubServer.close();
  }
  table(rows);
  process.stdout.write('\n');
  const r = results as Record<string, number>;
  process.stdout.write(
    `${JSON.stringify({
      layers: r.layers,
      hidden: r.hidden,
      vocab: 151669,
      dtype,
      update_ms: round(r.update, 0),
      tjs_update_ms: round(r.tjs, 0),
      slider_p95_ms: round(r.sliderP95, 1),
      peak_mb: round(r.peak, 0),
      peak_warm_mb: round(r.warmPeak, 0),
      model_mb: round(r.modelMb, 0),
      cancel_ms: round(r.cancel, 0),
      after_cancel_update_ms: round(r.afterCancel, 0),
      load_warm_ms: round(r.warm ?? Number.NaN, 0),
      load_cold_ms: round(r.cold, 0),
      slider_ready_ms: round(r.direction, 0),
      slider_ready_warm_ms: round(r.warmSlider, 0),
      layers_view_ms: round(r.layersMs, 0),
      layers_view_added_mb: round(r.layersMb, 0),
    })}\n`,
  );
}
