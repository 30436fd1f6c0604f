import Papa from 'papaparse';
import { MODEL_KEYS, type ModelKey } from '../../core/report';
import type { AnalysisState } from '../../state/analysisStore';
import { METRIC_DEFINITIONS, PAPER_SECTION } from './metricDefinitions';
import { type PerTextRow, perTextRows } from './perTextRows';

/**
 * A dataset analysis as files a researcher can reuse: the settings it ran with, the summary table (all
 * metrics, content variants too, for the embedder, the base and base + v₁·u₁) and every text's metrics
 * with the gain. JSON holds the three as keys; the CSV writes them as three tables one after another,
 * each with its header, separated by an empty line.
 */
type Analysis = NonNullable<AnalysisState['result']>;
type Cell = string | number | null;

/** The summary rows' model names: stable identifiers (base + v₁·u₁ has no ASCII name of its own). */
const MODEL_NAMES: Record<ModelKey, string> = { embed: 'embed', base: 'base', baseAdjusted: 'base_plus_v1u1' };

function settings(a: Analysis): Record<string, Cell> {
  return {
    pair: a.computedOn.pairId,
    pair_name: a.computedOn.pairName,
    dtype: a.settings.dtype,
    device: a.settings.device,
    k: a.report.k,
    dataset: a.dataset,
    ...(a.input.column ? { column: a.input.column } : {}),
    texts: a.report.n,
    first_n: a.input.limit,
    skipped_empty: a.skippedEmpty,
    lambda_v1: a.report.lambda,
    pc1_share: a.report.shares[0],
    metrics_defined_in: PAPER_SECTION,
  };
}

function summary(a: Analysis): Record<string, Cell>[] {
  const { report } = a;
  return MODEL_KEYS.map((key) => {
    const m = report.metrics[key];
    const c = report.content[key];
    return {
      model: MODEL_NAMES[key],
      texts: m.n,
      hit10: m.hit10,
      hit_k: m.hitAtK,
      lar: m.lar,
      gar: m.gar,
      content_texts: c.n,
      content_hit10: c.hit10,
      content_lar: c.lar,
      content_gar: c.gar,
      frequent_share: report.frequentShare[key],
    };
  });
}

/** Token lists joined with " | " (tokens may hold spaces and commas). */
const joined = (tokens: string[]) => tokens.join(' | ');

function perText(rows: PerTextRow[], none: '' | null): Record<string, Cell>[] {
  return rows.map((r) => ({
    index: r.index + 1,
    text: r.text,
    key_tokens: joined(r.keyTokens),
    embed_top: joined(r.embedTop),
    base_top: joined(r.baseTop),
    adjusted_top: joined(r.adjustedTop),
    embed_hit_k: r.embedHit,
    embed_lar: r.embedLar,
    base_hit_k: r.baseHit,
    base_lar: r.baseLar,
    adjusted_hit_k: r.adjustedHit,
    adjusted_lar: r.adjustedLar,
    gain: r.gain,
    adjusted_gain: r.adjustedGain,
    // Empty (CSV) or null (JSON) for a text without content tokens: the summary's content variants skip it too.
    embed_content_hit10: r.content?.embedHit10 ?? none,
    embed_content_lar: r.content?.embedLar ?? none,
    base_content_hit10: r.content?.baseHit10 ?? none,
    base_content_lar: r.content?.baseLar ?? none,
    adjusted_content_hit10: r.content?.adjustedHit10 ?? none,
    adjusted_content_lar: r.content?.adjustedLar ?? none,
  }));
}

export function analysisJson(a: Analysis): string {
  const definitions = Object.fromEntries(METRIC_DEFINITIONS.map((d) => [d.term, d.definition]));
  return JSON.stringify({ settings: settings(a), summary: summary(a), definitions, perText: perText(perTextRows(a), null) }, null, 2);
}

export function analysisCsv(a: Analysis): string {
  const settingRows = Object.entries(settings(a)).map(([setting, value]) => ({ setting, value }));
  return [settingRows, summary(a), perText(perTextRows(a), '')].map((table) => Papa.unparse(table)).join('\r\n\r\n');
}
