/**
 * `npm run bench -- realsize --browser=firefox|webkit`: the real-size pair (bench/realsize.ts) on Debian's
 * Firefox ESR (puppeteer-core over WebDriver BiDi) or WebKitGTK (selenium-webdriver + WebKitWebDriver under
 * Xvfb), driven as the e2e contract drives them (tools/engines/drivers.ts). Measures: cold load → both
 * columns show tokens (through the consent step), the slider ready (u₁ from the PC1 sample) if it comes within
 * 5 min, one 20-token text update → tokens (median of 4), and the peak resident memory of the engine's
 * content / web processes (Firefox: `firefox-esr -contentproc …` and their children; WebKit: WebKitWebProcess;
 * found under the browser's process in /proc; VmRSS every 250 ms and VmHWM) minus an empty page's, against
 * the bytes the load downloads. Reports the weight path (`data-weights` of the status line: disk cache with
 * JSPI, else bytes). A load that does not finish in time is reported, not thrown. Ends with one JSON line
 * with bench/realsize.ts's keys where measured, plus `browser`.
 *
 *   npm run bench -- realsize --browser=firefox|webkit [--dtype=q8|q4f16] [--no-build] [--port=4780] [--hub-port=4781]
 *     [--repeats=4] [--load-minutes=20] [--slider-minutes=5]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EngineDriver, type EngineName, launch } from '../tools/engines/drivers';
import { startHubServer } from '../tools/hub/hubServer';
import { header, INPUT_TO_PAINT, median, ms, type Row, ratio, round, sleep, table } from './common';
import { arg, type BenchDtype, buildApp, downloadedBytes, EMPTY_PAGE, ensurePair, HUB_ROOT, log, preview, stage, TEXT_DEBOUNCE_MS, TEXTS } from './realsize';

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function processes(): Proc[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // pid (comm) state ppid …: comm may hold spaces and parentheses.
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const ppid = Number(stat.slice(close + 2).split(' ')[1]);
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return [{ pid: Number(name), ppid, comm, cmdline }];
      } catch {
        return [];
      }
    });
}

/**
 * The engine's content processes under `root`: Firefox's `-contentproc` processes and their children
 * (the page's workers run in its content process), WebKit's WebKitWebProcess (one per page, with its workers).
 */
function contentProcesses(engine: EngineName, root: number): number[] {
  const all = processes();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const isContent = (p: Proc) =>
    engine === 'firefox' ? p.cmdline.includes('-contentproc') : p.comm.startsWith('WebKitWebProces') || p.cmdline.includes('WebKitWebProcess');
  const found: number[] = [];
  const walk = (pid: number, inContent: boolean) => {
    for (const child of children.get(pid) ?? []) {
      const content = inContent || isContent(child);
      if (content) found.push(child.pid);
      walk(child.pid, content);
    }
  };
  walk(root, false);
  return found;
}

function memoryKb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Every 250 ms: each content process's max(VmRSS, VmHWM) (its own peak: `largest` is the largest of them, as
 * bench/realsize.ts reads Chromium's renderer), and the sum of their current VmRSS (`total`, all the engine's
 * content processes at one instant). The process list is refreshed every 2 s.
 */
function sampler(engine: EngineName, root: number): { largestMb(): number; totalMb(): number; nowMb(): number; count(): number; stop(): void } {
  let largest = 0;
  let now = 0;
  let total = 0;
  let pids: number[] = [];
  const seen = new Set<number>();
  let ticks = 0;
  const tick = () => {
    if (ticks++ % 8 === 0) {
      pids = contentProcesses(engine, root);
      for (const pid of pids) seen.add(pid);
    }
    let sum = 0;
    now = 0;
    for (const pid of pids) {
      const { rss, hwm } = memoryKb(pid);
      largest = Math.max(largest, Math.max(rss, hwm) / 1024);
      now = Math.max(now, rss / 1024);
      sum += rss / 1024;
    }
    total = Math.max(total, sum);
  };
  tick();
  const timer = setInterval(tick, 250);
  return {
    largestMb: () => largest,
    totalMb: () => total,
    /** The largest content process's VmRSS at the last sample. */
    nowMb: () => now,
    count: () => seen.size,
    stop: () => {
      tick();
      clearInterval(timer);
    },
  };
}

const statusOf = (lens: EngineDriver) =>
  lens
    .js<{ text: string; weights: string | null }>(
      `const el = document.querySelector('[data-testid="model-status"]'); return { text: (el?.textContent ?? '(no status)').trim(), weights: el?.getAttribute('data-weights') ?? null }`,
    )
    .catch((error) => ({ text: `(page did not answer: ${String(error).slice(0, 80)})`, weights: null }));

/** Marks, on the page clock, when both columns first show tokens and when the slider is enabled (u₁ known). */
const PROBES = `
  if (!window.__probes) {
    window.__probes = true;
    const check = () => {
      if (window.__firstTokens === undefined && document.querySelector('[data-testid="aligned-base"] [data-testid="aligned-token"]') && document.querySelector('[data-testid="aligned-embed"] [data-testid="aligned-token"]')) window.__firstTokens = performance.now();
      const v1 = document.querySelector('[data-testid="lambda-v1"]');
      if (window.__firstTokens !== undefined && window.__directionReady === undefined && v1 && !v1.disabled) window.__directionReady = performance.now();
    };
    check();
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
  }
  return true;
`;

/**
 * Navigation → both columns show tokens (page clock), answering the consent step as bench/realsize.ts does;
 * a timeout or the app's error is a result.
 */
async function openPair(
  lens: EngineDriver,
  url: string,
  timeoutMs: number,
  rssMb: () => number,
): Promise<{ ms?: number; error?: string; questions: string[] }> {
  const started = Date.now();
  await lens.goto(url);
  await lens.js(PROBES);
  const questions: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let nextReport = Date.now() + 30_000;
  let lastStatus = '';
  while (Date.now() < deadline) {
    // Where the memory goes: each new status line (the step the load is on) with the largest content process's RSS.
    const status = (await statusOf(lens)).text;
    if (status !== lastStatus || Date.now() > nextReport) {
      nextReport = Date.now() + 30_000;
      lastStatus = status;
      log(`${((Date.now() - started) / 1000).toFixed(1)} s: RSS ${rssMb().toFixed(0)} MiB; status: ${status.slice(0, 140)}`);
    }
    const state = await lens
      .js<{ tokens?: number; error?: string; asked?: string }>(`
        if (window.__firstTokens !== undefined) return { tokens: window.__firstTokens };
        const error = document.querySelector('[data-testid="error"]');
        if (error) return { error: error.textContent };
        const confirm = document.querySelector('[data-testid="confirm-load"]');
        if (confirm) { const text = confirm.closest('[role="alert"]')?.textContent ?? ''; confirm.click(); return { asked: text }; }
        return {};`)
      .catch(() => ({}) as { tokens?: number; error?: string; asked?: string });
    if (typeof state.tokens === 'number') return { ms: state.tokens, questions };
    if (typeof state.error === 'string') return { error: state.error.replace(/×\s*$/, '').trim(), questions };
    if (typeof state.asked === 'string') questions.push(state.asked.trim().slice(0, 160));
    await sleep(typeof state.asked === 'string' ? 100 : 500);
  }
  return { error: `no tokens after ${timeoutMs / 60_000} min (status: ${(await statusOf(lens)).text})`, questions };
}

async function directionReady(lens: EngineDriver, timeoutMs: number): Promise<number | string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await lens
      .js<{ at?: number; error?: string }>(
        `const s = document.querySelector('[data-testid="direction-status"]')?.textContent ?? ''; return { at: window.__directionReady, error: s.includes('could not') ? s : undefined }`,
      )
      .catch(() => ({}) as { at?: number; error?: string });
    // (WebDriver answers an undefined property as null.)
    if (typeof state.at === 'number') return state.at;
    if (state.error) return `PC1 could not be estimated: ${state.error}`;
    await sleep(1000);
  }
  return `not ready within ${timeoutMs / 60_000} min`;
}

/** bench/common.ts's input → tokens → next frame, started in the page and polled (no long-running script call). */
async function inputToPaint(lens: EngineDriver, control: string, value: string, column: string, timeoutMs: number): Promise<[number, number] | string> {
  await lens.js(
    `window.__itp = undefined; (${INPUT_TO_PAINT})(arg).then((r) => { window.__itp = r; }, (e) => { window.__itp = String(e && e.message || e); });`,
    { control, value, column, timeoutMs },
  );
  const deadline = Date.now() + timeoutMs + 10_000;
  while (Date.now() < deadline) {
    const got = await lens.js<[number, number] | string | null>('return window.__itp ?? null').catch(() => null);
    if (got !== null && got !== undefined) return got;
    await sleep(200);
  }
  return `no answer within ${timeoutMs / 1000} s`;
}

export async function run(engine: EngineName, args: string[]): Promise<void> {
  const port = Number(arg('port', '4780'));
  const hubPort = Number(arg('hub-port', String(port + 1)));
  const repeats = Number(arg('repeats', '4'));
  const dtype = arg('dtype', 'q8') as BenchDtype;
  const loadMs = Number(arg('load-minutes', '20')) * 60_000;
  const sliderMs = Number(arg('slider-minutes', '5')) * 60_000;
  if (dtype !== 'q8' && dtype !== 'q4f16') throw new Error(`--dtype=${dtype}: q8 or q4f16`);
  header(
    'realsize',
    `Qwen3-0.6B-shaped pair (28 layers, hidden 1024, vocab 151,669, random weights) in ${engine} on WASM via the stand-in Hub, ports ${port}/${hubPort}`,
  );
  ensurePair();
  const built = JSON.parse(readFileSync(join(HUB_ROOT, 'realsize.json'), 'utf8'));
  const modelMb = downloadedBytes(dtype) / 2 ** 20;
  process.stdout.write(`# pair: ${HUB_ROOT}; ${dtype} download ${(downloadedBytes(dtype) / 1e6).toFixed(0)} MB (${modelMb.toFixed(0)} MiB)\n`);
  buildApp(args.includes('--no-build'));
  await stage();
  const hubServer = await startHubServer({ roots: [HUB_ROOT], port: hubPort });
  const server = await preview(port);
  const app = `http://127.0.0.1:${port}`;
  const rows: Row[] = [];
  let lens: EngineDriver | undefined;
  let result: Record<string, unknown> = {};
  try {
    // The empty page of the app's origin in a fresh browser: the content processes' own footprint.
    lens = await launch(engine);
    const version = lens.version;
    log(`${engine}: ${version} (root pid ${lens.pid})`);
    if (!lens.pid) throw new Error(`no process id for ${engine}: cannot read its memory`);
    const empty = sampler(engine, lens.pid);
    await lens.goto(`${app}/${EMPTY_PAGE}`);
    await sleep(3000);
    empty.stop();
    const emptyLargest = empty.largestMb();
    const emptyTotal = empty.totalMb();
    log(`empty page: largest content process ${emptyLargest.toFixed(0)} MiB, all ${empty.count()} content processes ${emptyTotal.toFixed(0)} MiB`);
    await lens.close();

    lens = await launch(engine);
    const memory = sampler(engine, lens.pid!);
    const query = new URLSearchParams({ pair: 'qwen3-0.6b', hub: hubServer.url, dtype, backend: 'wasm', text: TEXTS[0] });
    log(`cold load (${dtype}, from the stand-in Hub; up to ${loadMs / 60_000} min)…`);
    const wallStart = performance.now();
    // Where the memory goes during the load: the largest content process's RSS each second, and the large files the Hub is asked for.
    const timeline: string[] = [];
    let seenRequests = hubServer.log.length;
    const timelineTimer = setInterval(() => {
      const asked = hubServer.log
        .slice(seenRequests)
        .filter((r) => r.method === 'GET' && /\.(onnx|onnx_data|safetensors)$/.test(r.path))
        .map((r) => `GET ${r.path.split('/').slice(-3).join('/')}${r.range ? ` ${r.range}` : ''}`);
      seenRequests = hubServer.log.length;
      timeline.push(`${((performance.now() - wallStart) / 1000).toFixed(0)} s ${memory.nowMb().toFixed(0)} MiB${asked.length ? ` (${asked.join(', ')})` : ''}`);
    }, 1000);
    const cold = await openPair(lens, `${app}/?${query}`, loadMs, memory.nowMb);
    clearInterval(timelineTimer);
    const coldWall = performance.now() - wallStart;
    process.stdout.write(`# largest content process's RSS during the cold load, each second: ${timeline.join('; ')}\n`);
    const status = await statusOf(lens);
    const afterLoadLargest = memory.largestMb();
    const afterLoadTotal = memory.totalMb();
    log(
      `cold load: ${cold.ms !== undefined ? `${cold.ms.toFixed(0)} ms` : cold.error}; status "${status.text}"; data-weights ${status.weights}; questions answered: ${cold.questions.join(' | ') || 'none'}`,
    );

    let direction: number | string = 'not measured (no tokens)';
    const updates: [number, number][] = [];
    const updateErrors: string[] = [];
    if (cold.ms !== undefined) {
      log(`waiting for the slider (u₁ from the sample), up to ${sliderMs / 60_000} min…`);
      direction = await directionReady(lens, sliderMs);
      log(typeof direction === 'number' ? `slider ready ${direction.toFixed(0)} ms after navigation` : `slider: ${direction}`);
      log(`updates (${repeats}; 20-token texts)…`);
      for (let i = 0; i < repeats; i++) {
        const got = await inputToPaint(lens, 'text-input', TEXTS[(i + 1) % TEXTS.length], 'aligned-embed', 300_000);
        if (typeof got === 'string') updateErrors.push(got);
        else updates.push(got);
        log(`update ${i + 1}: ${typeof got === 'string' ? got : `${got[0].toFixed(0)} ms (incl. the ${TEXT_DEBOUNCE_MS} ms debounce)`}`);
      }
    }
    await sleep(1000);
    memory.stop();
    const residentMb = memory.nowMb() - emptyLargest;
    const peakLargest = memory.largestMb() - emptyLargest;
    const peakTotal = memory.totalMb() - emptyTotal;
    log(`content processes (${memory.count()} seen): largest peak ${memory.largestMb().toFixed(0)} MiB, all together ${memory.totalMb().toFixed(0)} MiB`);
    const sampleRunning = typeof direction !== 'number';
    const update = updates.length ? median(updates.map((u) => u[0])) - TEXT_DEBOUNCE_MS : Number.NaN;

    rows.push(
      {
        what: 'load → both columns, cold (from the server)',
        value: cold.ms !== undefined ? ms(cold.ms) : (cold.error ?? '—').slice(0, 80),
        baseline: `download ${modelMb.toFixed(0)} MiB`,
        ratio: '—',
        note: `weights read by onnxruntime from: ${status.weights}; status "${status.text.slice(0, 80)}"`,
      },
      {
        what: 'load → slider ready (u₁ from the 200-text sample)',
        value: typeof direction === 'number' ? ms(direction) : direction,
        baseline: cold.ms !== undefined ? `first tokens ${ms(cold.ms)}` : '—',
        ratio: typeof direction === 'number' && cold.ms ? ratio(direction, cold.ms) : '—',
        note: `waited up to ${sliderMs / 60_000} min`,
      },
      {
        what: 'update, 20-token text (both bodies, 2 × W·h, top-k)',
        value: updates.length ? ms(update) : (updateErrors[0] ?? '—').slice(0, 80),
        baseline: cold.ms !== undefined ? `cold load ${ms(cold.ms)}` : '—',
        ratio: '—',
        note: `median of ${updates.length} (${updates.map((u) => (u[0] - TEXT_DEBOUNCE_MS).toFixed(0)).join(', ')} ms), input → DOM minus the ${TEXT_DEBOUNCE_MS} ms debounce${sampleRunning ? '; the PC1 sample was still being embedded' : ''}`,
      },
      {
        what: 'peak memory, largest content process (RSS every 250 ms and VmHWM − empty page)',
        value: `${peakLargest.toFixed(0)} MiB`,
        baseline: `pair as downloaded ${modelMb.toFixed(0)} MiB`,
        ratio: ratio(peakLargest, modelMb),
        note: `target ≤ 1.3×; empty page ${emptyLargest.toFixed(0)} MiB; until first tokens ${(afterLoadLargest - emptyLargest).toFixed(0)} MiB; resident at the end ${residentMb.toFixed(0)} MiB`,
      },
      {
        what: 'peak memory, all content processes at once (sum of RSS − empty page)',
        value: `${peakTotal.toFixed(0)} MiB`,
        baseline: `pair as downloaded ${modelMb.toFixed(0)} MiB`,
        ratio: ratio(peakTotal, modelMb),
        note: `empty page ${emptyTotal.toFixed(0)} MiB; until first tokens ${(afterLoadTotal - emptyTotal).toFixed(0)} MiB`,
      },
    );
    result = {
      browser: engine,
      browser_version: version,
      weights: status.weights,
      layers: built.layers,
      hidden: built.hidden,
      vocab: 151669,
      dtype,
      update_ms: updates.length ? round(update, 0) : null,
      peak_mb: round(peakLargest, 0),
      peak_all_mb: round(peakTotal, 0),
      resident_end_mb: round(residentMb, 0),
      model_mb: round(modelMb, 0),
      load_cold_ms: cold.ms !== undefined ? round(cold.ms, 0) : null,
      ...(cold.error !== undefined && { load_cold_error: cold.error.slice(0, 200), load_wall_ms: round(coldWall, 0) }),
      slider_ready_ms: typeof direction === 'number' ? round(direction, 0) : null,
    };
  } finally {
    await lens?.close().catch(() => undefined);
    server.kill();
    await hubServer.close();
  }
  table(rows);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}
