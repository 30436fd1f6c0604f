/**
 * npm run verify:hub [-- --hub-url <url>] [--app-url <url>] [--only <pair id>] [--sentences 20] [--spectra <dir>]
 *
 * Loads every catalog pair that comes from the Hub, as a user would, in the CLI (onnxruntime-node) and in
 * headless Debian Chromium (the built app, WASM), and prints per pair: the dtype and the files it loaded,
 * the bytes downloaded, the load time, the top-10 tokens of the first sentence and content Hit@10 over the
 * first STS-B test sentences; and for each graph the CLI downloaded, what it is made of and what the app's edits
 * found in it (src/core/onnx/inspect.ts: op histogram, hidden state, layer taps), so the first run with internet
 * confirms or refutes the facts the stand-ins follow (docs/hub-facts.md). For a machine with internet (the default Hub is huggingface.co); never in CI.
 * With --hub-url it runs against any Hub, e.g. the stand-in (tools/hub/serveTestHub.ts), which a test does.
 * --app-url uses an app already served (else `vite preview` of dist/ is started; run `npm run build` first).
 * --spectra <dir>: after the CLI has verified a pair, `lens spectrum` writes its sample's spectrum to <dir>/<pair id>.json
 * (the file a catalog entry's `spectrum` names: commit it under models/spectra/, docs/cli.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { parseTexts } from '../../src/core/datasets';
import { readGraph } from '../../src/core/onnx/graph';
import { inspectGraph, reportLines } from '../../src/core/onnx/inspect';
import { HubClient } from '../../src/runtime/hub';
import { planPair } from '../../src/runtime/plan';
import { CATALOG } from '../../src/shared/catalog';
import { DEFAULT_HUB_URL } from '../../src/shared/hubUrl';
import { customPairManifest } from '../../src/shared/manifest';
import { CHROMIUM_ARGS, chromiumPath } from '../chromium';
import { runCommand } from '../runCommand';

const ROOT = resolve(import.meta.dirname, '..', '..');
const { values: args } = parseArgs({
  options: {
    'hub-url': { type: 'string' },
    'app-url': { type: 'string' },
    only: { type: 'string' },
    sentences: { type: 'string' },
    spectra: { type: 'string' },
  },
});
const spectraDir = args.spectra ? resolve(args.spectra) : undefined;
if (spectraDir) mkdirSync(spectraDir, { recursive: true });
const hubUrl = args['hub-url'] ?? DEFAULT_HUB_URL;
const count = Number(args.sentences ?? 20);
const sentences = parseTexts(readFileSync(join(ROOT, 'public/data/stsb/sts-test.csv'), 'utf8'), 'stsb').texts.slice(0, count);
const input = join(mkdtempSync(join(tmpdir(), 'verify-hub-')), 'sentences.txt');
writeFileSync(input, `${sentences.join('\n')}\n`);
const pairs = CATALOG.filter((entry) => entry.hub && (!args.only || entry.id === args.only));

interface Row {
  pair: string;
  where: 'cli' | 'browser';
  dtype: string;
  files: string[];
  downloadedMB: number;
  loadS: number;
  top10: string[];
  contentHit10?: number;
  /** Per ONNX graph the CLI downloaded (as the app keeps it, its edits applied): inspectGraph's lines. */
  graphs?: { file: string; lines: string[] }[];
  /** With --spectra: the spectrum file `lens spectrum` wrote for the pair, its v₁ and PC1 share. */
  spectrum?: { file: string; v1: number; share1: number; sampleSize: number };
  error?: string;
}

const run = (command: string, argv: string[]) => runCommand(command, argv, { cwd: ROOT });

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

/** inspectGraph's report on every .onnx file of a cache folder. */
function graphReports(cacheDir: string): { file: string; lines: string[] }[] {
  return filesUnder(cacheDir)
    .filter((file) => file.endsWith('.onnx'))
    .map((file) => {
      const { nodes, outputs } = readGraph(readFileSync(file));
      return { file: file.slice(cacheDir.length + 1), lines: reportLines(inspectGraph(nodes, outputs)) };
    });
}

const folderBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
const lastError = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('lens '))
    .pop() ?? stderr.trim().split('\n').pop();

async function viaCli(id: string): Promise<Row> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'verify-hub-cache-'));
  const common = ['tsx', 'cli/lens.ts', '--pair', id, '--hub-url', hubUrl, '--cache-dir', cacheDir, '--input', input, '--json'];
  const entry = CATALOG.find((e) => e.id === id)!;
  const plan = await planPair(customPairManifest(entry.hub!, id), new HubClient({ baseUrl: hubUrl }), { device: 'cpu' });
  const files = Object.entries(plan.chosen).flatMap(([repo, v]) => v.files.map((f) => `${repo}/${f.file}`));
  const analyzed = await run('npx', ['tsx', 'cli/lens.ts', 'analyze', ...common.slice(2)]);
  if (analyzed.code !== 0)
    return { pair: id, where: 'cli', dtype: plan.dtype, files, downloadedMB: 0, loadS: analyzed.seconds, top10: [], error: lastError(analyzed.stderr) };
  const aligned = await run('npx', ['tsx', 'cli/lens.ts', 'align', ...common.slice(2), '--limit', '1']);
  const first = JSON.parse(aligned.stdout.trim().split('\n')[0]);
  let spectrum: Row['spectrum'];
  if (spectraDir) {
    // The same command a user runs for a pair (`lens spectrum`), on the files the verification downloaded.
    const file = join(spectraDir, `${id}.json`);
    const written = await run('npx', ['tsx', 'cli/lens.ts', 'spectrum', '--pair', id, '--hub-url', hubUrl, '--cache-dir', cacheDir, '--out', file]);
    if (written.code !== 0)
      return { pair: id, where: 'cli', dtype: plan.dtype, files, downloadedMB: 0, loadS: analyzed.seconds, top10: [], error: lastError(written.stderr) };
    const json = JSON.parse(readFileSync(file, 'utf8'));
    spectrum = { file, v1: json.variation[0], share1: json.shares[0], sampleSize: json.sampleSize };
  }
  return {
    pair: id,
    where: 'cli',
    dtype: plan.dtype,
    files,
    downloadedMB: folderBytes(cacheDir) / 1e6,
    loadS: analyzed.seconds,
    top10: first.embed.top.map((t: { token: string }) => t.token),
    contentHit10: JSON.parse(analyzed.stdout).content.embed.hit10,
    graphs: graphReports(cacheDir),
    ...(spectrum && { spectrum }),
  };
}

async function viaBrowser(appUrl: string, id: string): Promise<Row> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  const bodies: Record<string, number> = {};
  page.on('response', (response) => {
    const url = response.url();
    if (!url.startsWith(appUrl) && response.status() < 300) bodies[url] = Number(response.headers()['content-length'] ?? 0);
  });
  const started = performance.now();
  try {
    await page.goto(`${appUrl}/?${new URLSearchParams({ pair: id, hub: hubUrl, backend: 'wasm', text: sentences[0] })}`);
    // A link to a Hub pair asks first (the app's trust rule): say yes, as the user would.
    const question = page.getByTestId('confirm-load');
    await question.waitFor({ timeout: 60_000 }).then(
      () => question.click(),
      () => undefined,
    );
    const status = page.getByTestId('model-status');
    await page.waitForFunction(() => /ready|failed/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ''), null, {
      timeout: 1_800_000,
    });
    const loadS = (performance.now() - started) / 1000;
    const text = (await status.textContent()) ?? '';
    const error = await page
      .getByTestId('error')
      .textContent()
      .catch(() => null);
    if (!text.includes('ready')) return { pair: id, where: 'browser', dtype: '?', files: [], downloadedMB: 0, loadS, top10: [], error: error ?? text };
    await page.getByTestId('aligned-embed').getByTestId('aligned-token').first().waitFor();
    const top10 = await page.getByTestId('aligned-embed').getByTestId('aligned-token').allTextContents();
    const files = Object.keys(bodies)
      .filter((u) => /\.(onnx|onnx_data(_\d+)?|safetensors)$/.test(new URL(u).pathname))
      .map((u) => new URL(u).pathname);
    return {
      pair: id,
      where: 'browser',
      dtype: /· wasm ?(\w*) ·/.exec(text)?.[1] || 'fp32',
      files,
      downloadedMB: Object.values(bodies).reduce((a, b) => a + b, 0) / 1e6,
      loadS,
      top10: top10.slice(0, 10).map((t) => t.trim()),
    };
  } finally {
    await browser.close();
  }
}

async function startApp(): Promise<{ url: string; server?: ChildProcess }> {
  if (args['app-url']) return { url: args['app-url'].replace(/\/+$/, '') };
  const port = 4790;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: ROOT, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 60; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, server };
    await new Promise((r) => setTimeout(r, 500));
  }
  server.kill();
  throw new Error('vite preview did not start: run `npm run build` first');
}

const app = await startApp();
const rows: Row[] = [];
try {
  for (const entry of pairs) {
    for (const row of [await viaCli(entry.id), await viaBrowser(app.url, entry.id)]) {
      rows.push(row);
      console.log(`\n${row.pair} · ${row.where} · ${row.dtype}${row.error ? ' · FAILED' : ''}`);
      if (row.error) console.log(`  error: ${row.error}`);
      console.log(`  files: ${row.files.join(', ') || '(none seen)'}`);
      console.log(`  downloaded ${row.downloadedMB.toFixed(1)} MB, load ${row.loadS.toFixed(1)} s`);
      console.log(`  top-10: ${row.top10.map((t) => JSON.stringify(t)).join(' ')}`);
      if (row.contentHit10 !== undefined) console.log(`  content Hit@10 over ${count} STS-B test sentences: ${row.contentHit10.toFixed(3)}`);
      if (row.spectrum) {
        const { file, v1, share1, sampleSize } = row.spectrum;
        console.log(`  spectrum: ${file} (v1 = ${v1.toFixed(4)}, PC1 share ${(share1 * 100).toFixed(1)}%, ${sampleSize} sample texts)`);
      }
      for (const graph of row.graphs ?? []) console.log(`  graph ${graph.file}\n${graph.lines.map((l) => `    ${l}`).join('\n')}`);
    }
  }
} finally {
  app.server?.kill();
}
console.log(`\n${JSON.stringify({ hub: hubUrl, rows })}`);
process.exitCode = rows.some((r) => r.error) ? 1 : 0;
