import { buildReport, type DatasetReport, MODEL_KEYS } from '../src/core/report';
import { CATALOG, findPair } from '../src/runtime/catalog';
import { readText } from '../src/runtime/files';
import { parseManifest } from '../src/runtime/manifest';
import { localModelReader } from '../src/runtime/node';
import { LensPair } from '../src/runtime/pair';
import { LensSession } from '../src/runtime/session';
import { parseCount, progress, progressDone, readTexts, UsageError } from './io';

export type Options = Record<string, string | boolean | undefined>;

function requirePair(options: Options): string {
  const id = options.pair;
  if (typeof id !== 'string') throw new UsageError('--pair <id> is required (see `lens models`)');
  try {
    findPair(id);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return id;
}

function requireInput(options: Options): string {
  if (typeof options.input !== 'string') throw new UsageError('--input <file|-> is required');
  return options.input;
}

const write = (value: unknown, pretty: boolean) => process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);

/** lens align: one JSON object per text with both models' top tokens and its metrics. */
export async function align(options: Options): Promise<void> {
  const pairId = requirePair(options);
  const k = parseCount(options.k as string | undefined, 'k', 10);
  const { texts, skippedEmpty } = await readTexts(requireInput(options), options.format as string, options.column as string);
  const session = new LensSession(localModelReader(options['models-dir'] as string | undefined));
  progress(`loading ${pairId}…`);
  const info = await session.load(pairId, 'cpu');
  let lambda = 0;
  if (options.lambda === 'v1') lambda = info.variation[0];
  else if (options.lambda !== undefined) {
    lambda = Number(options.lambda);
    if (!Number.isFinite(lambda)) throw new UsageError(`--lambda must be a number or "v1", got "${options.lambda}"`);
  }
  if (skippedEmpty) progress(`skipped ${skippedEmpty} empty line(s)`);
  for (const [i, text] of texts.entries()) {
    const r = await session.align(i + 1, text, k, lambda);
    const top = (c: typeof r.embed) => c.tokens.map((t, j) => ({ id: t.id, token: t.text, score: c.scores[j] }));
    const row = {
      text,
      tokens: r.tokens.map((t) => ({ id: t.id, token: t.text })),
      truncated: r.truncated,
      lambda,
      embed: { top: top(r.embed), keyIds: r.embed.keyIds },
      base: { top: top(r.base), keyIds: r.base.keyIds },
      metrics: { embed: { hit: r.embed.hit, lar: r.embed.lar }, base: { hit: r.base.hit, lar: r.base.lar } },
    };
    if (options.json) write(row, false);
    else {
      process.stdout.write(`${text}\n  embed: ${row.embed.top.map((t) => JSON.stringify(t.token)).join(' ')}\n`);
      process.stdout.write(`  base${lambda ? ` (λ=${lambda.toFixed(3)})` : ''}: ${row.base.top.map((t) => JSON.stringify(t.token)).join(' ')}\n`);
    }
    if ((i + 1) % 50 === 0) progress(`aligned ${i + 1}/${texts.length}`);
  }
  progressDone();
}

/** Runs the dataset analysis of a pair over texts: the numbers behind the app's Analysis view. */
export async function analyzeTexts(
  pairId: string,
  texts: string[],
  k: number,
  modelsDir?: string,
): Promise<{ report: DatasetReport; pair: LensPair }> {
  const read = localModelReader(modelsDir);
  const entry = findPair(pairId);
  const manifest = parseManifest(JSON.parse(await readText(read, entry.manifest)), entry.manifest);
  progress(`loading ${pairId}…`);
  const pair = await LensPair.load(manifest, { device: 'cpu', read });
  const records = [];
  const started = performance.now();
  for (let start = 0; start < texts.length; start += 64) {
    records.push(...(await pair.encode(texts.slice(start, start + 64), 64)));
    const rate = records.length / ((performance.now() - started) / 1000);
    progress(`embedded ${records.length}/${texts.length} texts (${rate.toFixed(0)}/s)`);
  }
  progressDone();
  return { report: buildReport(records, pair.head, { k, isContent: pair.isContent, frequentIds: pair.frequentIds }), pair };
}

/** lens analyze: Hit@10, LAR, GAR for base / embed / base + v_1·u_1, content variants, v_1..v_20. */
export async function analyze(options: Options): Promise<void> {
  const pairId = requirePair(options);
  const k = parseCount(options.k as string | undefined, 'k', 10);
  const { texts, skippedEmpty } = await readTexts(requireInput(options), options.format as string, options.column as string);
  const limit = parseCount(options.limit as string | undefined, 'limit', texts.length);
  const chosen = texts.slice(0, limit);
  if (chosen.length < 2) throw new UsageError('an analysis needs at least two non-empty texts');
  const { report, pair } = await analyzeTexts(pairId, chosen, k, options['models-dir'] as string | undefined);
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
  if (options.json) write(summary, Boolean(options.pretty));
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
    process.stdout.write(`v1..v10: ${report.variation.slice(0, 10).map((v) => v.toFixed(3)).join(' ')}\n`);
    process.stdout.write(`examples:\n`);
    for (const p of report.perText.slice(0, 5)) {
      const show = (ids: number[]) => ids.slice(0, k).map((id) => JSON.stringify(pair.tokenText(id))).join(' ');
      process.stdout.write(`  ${p.text}\n    embed: ${show(p.top.embed)}\n    base:  ${show(p.top.base)}\n    base+v1u1: ${show(p.top.baseAdjusted)}\n`);
    }
  }
}

/** lens models: the catalog. */
export async function models(options: Options): Promise<void> {
  const read = localModelReader(options['models-dir'] as string | undefined);
  const rows = await Promise.all(
    CATALOG.map(async (entry) => {
      const m = parseManifest(JSON.parse(await readText(read, entry.manifest)), entry.manifest);
      return { id: entry.id, label: entry.label, embed: m.embed.model, base: m.base.model, pooling: m.embed.pooling, template: m.embed.template };
    }),
  );
  if (options.json) write(rows, false);
  else for (const r of rows) process.stdout.write(`${r.id.padEnd(12)} ${r.label}\n`);
}
