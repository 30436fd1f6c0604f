/** lens layers and lens analyze --layers: the layer view in batch (src/runtime/session.ts LensSession.layers). */
import { batchesOf } from '../src/core/batches';
import { buildReport, type DatasetReport, MODEL_KEYS } from '../src/core/report';
import type { LayerEncoding, LensPair } from '../src/runtime/pair';
import { LensSession } from '../src/runtime/session';
import { directionV1 } from '../src/shared/wire';
import { parseCount, progress, progressDone, readTexts, UsageError, writeJson } from './io';
import { type Options, resolvePair } from './pair';

/** --lambda: a number, or "v1" (the pair's v₁; each layer then uses its own v₁⁽ℓ⁾). */
export function parseLambda(value: string | boolean | undefined, v1: number): number {
  if (value === undefined) return 0;
  if (value === 'v1') return v1;
  const lambda = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(lambda)) throw new UsageError(`--lambda must be a number or "v1", got "${value}"`);
  return lambda;
}

/** lens layers: one JSON object per text with each layer's top tokens under both models, shallow to deep. */
export async function layers(options: Options): Promise<void> {
  const k = parseCount(options.k as string | undefined, 'k', 10);
  if (typeof options.input !== 'string') throw new UsageError('--input <file|-> is required');
  const { texts, skippedEmpty } = await readTexts(options.input, options.format as string, options.column as string);
  const resolved = await resolvePair(options);
  const session = new LensSession(resolved.read, resolved.hub, undefined, resolved.downloads);
  session.spectrumStore = resolved.spectra;
  progress(`loading ${resolved.manifest.name} (${resolved.plan.dtype})…`);
  await session.loadManifest(resolved.manifest, 'cpu', undefined, resolved.plan);
  const info = await session.withDirection(); // a Hub pair embeds its PC1 sample after loading
  const lambda = parseLambda(options.lambda, directionV1(info.direction));
  if (skippedEmpty) progress(`skipped ${skippedEmpty} empty line(s)`);
  for (const [i, text] of texts.entries()) {
    const view = await session.layers(i + 1, text, k, lambda);
    if (view.rows.length === 0) {
      const why = Object.entries(view.reasons)
        .map(([model, reason]) => `the ${model === 'embed' ? 'embedding' : 'base'} model: ${reason}`)
        .join('; ');
      throw new Error(`No layer view for pair ${info.id}: ${why}.`);
    }
    const top = (c: (typeof view.rows)[number]['embed']) => c.tokens.map((t, j) => ({ id: t.id, token: t.text, score: c.scores[j] }));
    const row = {
      text,
      lambda,
      layers: view.rows.map((r) => ({
        layer: r.layer,
        lambda: r.lambda,
        embed: { top: top(r.embed) },
        base: { top: top(r.base) },
        metrics: { embed: { hit: r.embed.hit, contentHit: r.contentHit.embed }, base: { hit: r.base.hit, contentHit: r.contentHit.base } },
      })),
    };
    if (options.json) writeJson(row, false);
    else {
      process.stdout.write(`${text}\n`);
      for (const l of row.layers) {
        const show = (t: { token: string }[]) => t.map((x) => JSON.stringify(x.token)).join(' ');
        process.stdout.write(`  layer ${l.layer}  embed: ${show(l.embed.top)}\n           base:  ${show(l.base.top)}\n`);
      }
    }
    if ((i + 1) % 50 === 0) progress(`layers of ${i + 1}/${texts.length}`);
  }
  progressDone();
}

export interface LayerTableRow {
  layer: number;
  /** Hit@10, content Hit@10 and LAR per model (base + v₁⁽ℓ⁾u₁⁽ℓ⁾ with this layer's own PC1 and v₁ of the dataset). */
  metrics: Record<(typeof MODEL_KEYS)[number], { hit10: number; contentHit10: number; lar: number }>;
  lambda: number;
}

/** The per-layer dataset table of lens analyze --layers: the paper's analysis (buildReport) at every layer. */
export async function layerTable(pair: LensPair, texts: string[], k: number): Promise<LayerTableRow[]> {
  const parts: LayerEncoding[] = [];
  let done = 0;
  for (const batch of batchesOf(texts, 64)) {
    parts.push(await pair.encodeLayers(batch, 64));
    done += batch.length;
    progress(`layers: embedded ${done}/${texts.length} texts`);
  }
  progressDone();
  const reasons = parts.find((p) => p.reasons.embed || p.reasons.base)?.reasons;
  if (reasons) {
    const why = Object.entries(reasons)
      .map(([model, reason]) => `the ${model === 'embed' ? 'embedding' : 'base'} model: ${reason}`)
      .join('; ');
    throw new Error(`No per-layer table for pair ${pair.manifest.id}: ${why}.`);
  }
  const records = parts.flatMap((p) => p.texts);
  const depth = parts[0].embed.length;
  const rows: LayerTableRow[] = [];
  for (let l = 0; l < depth; l++) {
    const embed = parts.flatMap((p) => p.embed[l]);
    const base = parts.flatMap((p) => p.base[l]);
    const report: DatasetReport = buildReport(
      records.map((r, i) => ({ ...r, embed: embed[i], base: base[i] })),
      pair.head,
      { k, isContent: pair.isContent, frequentIds: pair.frequentIds },
    );
    const metrics = Object.fromEntries(
      MODEL_KEYS.map((key) => [key, { hit10: report.metrics[key].hit10, contentHit10: report.content[key].hit10, lar: report.metrics[key].lar }]),
    ) as LayerTableRow['metrics'];
    rows.push({ layer: l + 1, metrics, lambda: report.lambda });
  }
  return rows;
}

export function printLayerTable(rows: LayerTableRow[]): void {
  const f = (x: number) => x.toFixed(3);
  process.stdout.write('layer | Hit@10 embed  base   base+v1u1 | content Hit@10 embed  base   base+v1u1 | LAR embed  base   base+v1u1\n');
  for (const r of rows) {
    const m = r.metrics;
    process.stdout.write(
      `${String(r.layer).padStart(5)} |        ${f(m.embed.hit10)}  ${f(m.base.hit10)}  ${f(m.baseAdjusted.hit10)}     |                ${f(m.embed.contentHit10)}  ${f(m.base.contentHit10)}  ${f(m.baseAdjusted.contentHit10)}     |     ${f(m.embed.lar)}  ${f(m.base.lar)}  ${f(m.baseAdjusted.lar)}\n`,
    );
  }
}
