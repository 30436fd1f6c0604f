import { writeFile } from 'node:fs/promises';
import { batchesOf } from '../src/core/batches';
import { buildReport, type DatasetReport, MODEL_KEYS } from '../src/core/report';
import { sampleSpectrum, serializeSpectrum, spectrumProvenance } from '../src/runtime/direction';
import { loadPair } from '../src/runtime/loadPair';
import { localModelReader } from '../src/runtime/node';
import type { LensPair } from '../src/runtime/pair';
import { catalogPairStatus } from '../src/runtime/pairFiles';
import { LensSession } from '../src/runtime/session';
import { CATALOG } from '../src/shared/catalog';
import type { FileProgress } from '../src/shared/files';
import { isHubHead } from '../src/shared/manifest';
import { directionV1, type TokenInfo } from '../src/worker/protocol';
import { parseCount, progress, progressDone, readTexts, UsageError, writeJson } from './io';
import { layerTable, parseLambda, printLayerTable } from './layers';
import { cpuLoadOptions, type Options, resolvePair } from './pair';

function requireInput(options: Options): string {
  if (typeof options.input !== 'string') throw new UsageError('--input <file|-> is required');
  return options.input;
}

/** Per-file download progress on stderr (Hub pairs; local files load at once). */
function loadProgress(p: FileProgress): void {
  if (p.total > 1_000_000 && (p.done || p.loaded % (4 << 20) < 65_536)) {
    progress(`  ${p.file}: ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB`);
  }
}

/**
 * A text's tokens for the terminal: each readable (bytes as `<0xNN>` where a token holds part of a
 * character), and a run of such tokens followed by the characters it forms: `"<0xF0><0x9F>" "<0x8E><0xB8>"(=🎸)`.
 */
export function readableTokens(tokens: readonly TokenInfo[]): string {
  const out: string[] = [];
  let runEnd = -1;
  let runText = '';
  for (const [i, t] of tokens.entries()) {
    if (t.run) {
      runEnd = i + t.run.length - 1;
      runText = t.run.text;
    }
    out.push(`${JSON.stringify(t.text)}${i === runEnd ? `(=${runText})` : ''}`);
  }
  return out.join(' ');
}

/** lens align: one JSON object per text with both models' top tokens and its metrics. */
export async function align(options: Options): Promise<void> {
  const k = parseCount(options.k as string | undefined, 'k', 10);
  const { texts, skippedEmpty } = await readTexts(requireInput(options), options.format as string, options.column as string);
  const resolved = await resolvePair(options);
  const { manifest } = resolved;
  const session = new LensSession(resolved.read, resolved.hub, undefined, resolved.downloads);
  session.spectrumStore = resolved.spectra;
  progress(`loading ${manifest.name} (${resolved.plan.dtype})…`);
  await session.loadManifest(manifest, 'cpu', loadProgress, resolved.plan);
  const info = await session.withDirection(); // a Hub pair embeds its PC1 sample after loading
  const lambda = parseLambda(options.lambda, directionV1(info.direction));
  if (skippedEmpty) progress(`skipped ${skippedEmpty} empty line(s)`);
  for (const [i, text] of texts.entries()) {
    const r = await session.align(i + 1, text, k, lambda);
    // JSON keeps each token as the tokenizer decodes it; the text output shows it readable (runtime/tokenReader.ts).
    const token = (t: { id: number; text: string }) => (options.json ? session.loaded.tokens.decoded(t.id) : t.text);
    const top = (c: typeof r.embed) => c.tokens.map((t, j) => ({ id: t.id, token: token(t), score: c.scores[j] }));
    const row = {
      text,
      tokens: r.tokens.map((t) => ({ id: t.id, token: token(t) })),
      truncated: r.truncated,
      lambda,
      embed: { top: top(r.embed), keyIds: r.embed.keyIds },
      base: { top: top(r.base), keyIds: r.base.keyIds },
      metrics: { embed: { hit: r.embed.hit, lar: r.embed.lar }, base: { hit: r.base.hit, lar: r.base.lar } },
    };
    if (options.json) writeJson(row, false);
    else {
      process.stdout.write(`${text}\n  tokens: ${readableTokens(r.tokens)}\n  embed: ${row.embed.top.map((t) => JSON.stringify(t.token)).join(' ')}\n`);
      process.stdout.write(`  base${lambda ? ` (λ=${lambda.toFixed(3)})` : ''}: ${row.base.top.map((t) => JSON.stringify(t.token)).join(' ')}\n`);
    }
    if ((i + 1) % 50 === 0) progress(`aligned ${i + 1}/${texts.length}`);
  }
  progressDone();
}

/** Runs the dataset analysis of a pair over texts: the numbers behind the app's Analysis view. */
export async function analyzeTexts(options: Options, texts: string[], k: number): Promise<{ report: DatasetReport; pair: LensPair }> {
  const resolved = await resolvePair(options);
  progress(`loading ${resolved.manifest.name} (${resolved.plan.dtype})…`);
  const pair = await loadPair(resolved.manifest, cpuLoadOptions(resolved, loadProgress));
  const records = [];
  const started = performance.now();
  for (const batch of batchesOf(texts, 64)) {
    records.push(...(await pair.encode(batch, 64)));
    const rate = records.length / ((performance.now() - started) / 1000);
    progress(`embedded ${records.length}/${texts.length} texts (${rate.toFixed(0)}/s)`);
  }
  progressDone();
  return { report: buildReport(records, pair.head, { k, isContent: pair.isContent, frequentIds: pair.frequentIds }), pair };
}

/** lens analyze: Hit@10, LAR, GAR for base / embed / base + v_1·u_1, content variants, v_1..v_20. */
export async function analyze(options: Options): Promise<void> {
  const k = parseCount(options.k as string | undefined, 'k', 10);
  const { texts, skippedEmpty } = await readTexts(requireInput(options), options.format as string, options.column as string);
  const limit = parseCount(options.limit as string | undefined, 'limit', texts.length);
  const chosen = texts.slice(0, limit);
  if (chosen.length < 2) throw new UsageError('an analysis needs at least two non-empty texts');
  const { report, pair } = await analyzeTexts(options, chosen, k);
  const pairId = pair.manifest.id;
  const layerRows = options.layers ? await layerTable(pair, chosen, k) : undefined;
  const round = (m: { hitAtK: number; hit10: number; lar: number; gar: number; n: number }) => ({
    n: m.n,
    hit10: m.hit10,
    hitK: m.hitAtK,
    lar: m.lar,
    gar: m.gar,
  });
  const summary = {
    pair: pairId,
    n: report.n,
    k,
    skippedEmpty,
    truncated: report.perText.filter((p) => p.truncated).length,
    metrics: Object.fromEntries(MODEL_KEYS.map((key) => [key, round(report.metrics[key])])),
    content: Object.fromEntries(MODEL_KEYS.map((key) => [key, round(report.content[key])])),
    frequentShare: report.frequentShare,
    variation: report.variation,
    shares: report.shares,
    lambda: report.lambda,
    ...(layerRows ? { layers: layerRows } : {}),
    ...(options['per-text']
      ? {
          perText: report.perText.map((p) => ({
            text: p.text,
            ids: p.ids,
            embed: p.top.embed.slice(0, k),
            base: p.top.base.slice(0, k),
            baseAdjusted: p.top.baseAdjusted.slice(0, k),
          })),
        }
      : {}),
  };
  if (options.json) writeJson(summary, Boolean(options.pretty));
  else {
    const pct = (x: number) => x.toFixed(3);
    process.stdout.write(`${pairId}: ${report.n} texts, k=${k}, λ = v1 = ${report.lambda.toFixed(3)}\n`);
    process.stdout.write('model          Hit@10  LAR    GAR    | content Hit@10  LAR    GAR   | top-k in 50 most frequent\n');
    for (const key of MODEL_KEYS) {
      const m = report.metrics[key];
      const c = report.content[key];
      process.stdout.write(
        `${key.padEnd(14)} ${pct(m.hit10)}   ${pct(m.lar)}  ${pct(m.gar)}  | ${pct(c.hit10)}           ${pct(c.lar)}  ${pct(c.gar)} | ${pct(report.frequentShare[key])}\n`,
      );
    }
    process.stdout.write(
      `v1..v10: ${report.variation
        .slice(0, 10)
        .map((v) => v.toFixed(3))
        .join(' ')}\n`,
    );
    if (layerRows) printLayerTable(layerRows);
    process.stdout.write(`examples:\n`);
    for (const p of report.perText.slice(0, 5)) {
      const show = (ids: number[]) =>
        ids
          .slice(0, k)
          .map((id) => JSON.stringify(pair.tokenText(id)))
          .join(' ');
      process.stdout.write(`  ${p.text}\n    embed: ${show(p.top.embed)}\n    base:  ${show(p.top.base)}\n    base+v1u1: ${show(p.top.baseAdjusted)}\n`);
    }
  }
}

/** lens spectrum: u_1 and v_j of the pair's sample, written ahead for the app (manifest "spectrum"). */
export async function spectrum(options: Options): Promise<void> {
  const resolved = await resolvePair(options);
  const pair = await loadPair({ ...resolved.manifest, spectrum: undefined }, cpuLoadOptions(resolved));
  const spectrum = await sampleSpectrum(pair, 20, ({ done, total }) => progress(`embedded ${done}/${total} sample texts`));
  // The same file the app keeps between visits: every u_j, and what it was computed on.
  const result = serializeSpectrum(spectrum, { all: true, about: spectrumProvenance(pair, resolved.plan) });
  progressDone();
  const json = `${JSON.stringify(result)}\n`;
  if (typeof options.out === 'string') {
    await writeFile(options.out, json);
    progress(`wrote ${options.out}: v1 = ${result.variation[0].toFixed(4)}, PC1 share ${(result.shares[0] * 100).toFixed(1)}%`);
    progressDone();
  } else process.stdout.write(json);
}

/** One catalog row: Hub ids, or paths under models/ (the same ids resolve against models/ and against a Hub URL). */
interface CatalogRow {
  id: string;
  label: string;
  embed: string;
  base: string;
  /** Where W comes from: a Hub repo's safetensors, or a file under models/. */
  head: string;
  pooling: string;
  template: string;
  /** False for a local pair whose model files are not under models/ yet (SGPT before its export). */
  available: boolean;
}

/** lens models: the catalog. */
export async function models(options: Options): Promise<void> {
  const read = localModelReader(options['models-dir'] as string | undefined);
  const rows = await Promise.all(
    CATALOG.map(async (entry): Promise<CatalogRow> => {
      const { id, label } = entry;
      if (entry.hub) {
        const { embed, base, head = base, pooling, template = '{text}' } = entry.hub;
        return { id, label, embed, base, head, pooling, template, available: true };
      }
      // The same test as the app's pair picker (runtime/pairFiles.ts): the manifest, and the embedder's config.json.
      const { manifest: m, available } = await catalogPairStatus(entry, read);
      if (!m) return { id, label, embed: `${id}/embed`, base: `${id}/base`, head: '', pooling: '', template: '{text}', available: false };
      const head = isHubHead(m.lmHead) ? m.lmHead.hub : m.lmHead.file;
      return { id, label, embed: m.embed.model, base: m.base.model, head, pooling: m.embed.pooling, template: m.embed.template, available };
    }),
  );
  if (options.json) writeJson(rows, false);
  else for (const r of rows) process.stdout.write(`${r.id.padEnd(18)} ${r.label}${r.available ? '' : '  [not under models/ yet]'}\n`);
}
