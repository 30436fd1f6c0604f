import { hitAtK, localAlignmentRate, uniqueIds } from '../../core/metrics';
import type { DatasetAnalysis } from '../../worker/protocol';

/** One analysed text's metrics under each model, as the per-text table shows them and the exports write them. */
export interface PerTextRow {
  /** Position in the dataset, from 0. */
  index: number;
  text: string;
  keyTokens: string[];
  embedTop: string[];
  baseTop: string[];
  adjustedTop: string[];
  embedHit: number;
  embedLar: number;
  baseHit: number;
  baseLar: number;
  adjustedHit: number;
  adjustedLar: number;
  /** Embedder LAR − base LAR. */
  gain: number;
  /** Base + v₁·u₁ LAR − base LAR. */
  adjustedGain: number;
  /** Over the text's content tokens; undefined for a text without any (the report skips those too). */
  content?: { embedHit10: number; embedLar: number; baseHit10: number; baseLar: number; adjustedHit10: number; adjustedLar: number };
}

export function perTextRows({ report, tokenTexts }: DatasetAnalysis): PerTextRow[] {
  const k = report.k;
  const word = (id: number) => tokenTexts[id] ?? `#${id}`;
  return report.perText.map((p, index) => {
    const ids = uniqueIds(p.ids);
    const { embed, base, baseAdjusted } = p.top;
    const embedTop = embed.slice(0, k);
    const embedLar = localAlignmentRate(embed, ids);
    const baseLar = localAlignmentRate(base, ids);
    const adjustedLar = localAlignmentRate(baseAdjusted, ids);
    const c = p.contentIds ?? [];
    return {
      index,
      text: p.text,
      keyTokens: ids.filter((id) => embedTop.includes(id)).map(word),
      embedTop: embedTop.map(word),
      baseTop: base.slice(0, k).map(word),
      adjustedTop: baseAdjusted.slice(0, k).map(word),
      embedHit: hitAtK(embed, ids, k),
      embedLar,
      baseHit: hitAtK(base, ids, k),
      baseLar,
      adjustedHit: hitAtK(baseAdjusted, ids, k),
      adjustedLar,
      gain: embedLar - baseLar,
      adjustedGain: adjustedLar - baseLar,
      content: c.length
        ? {
            embedHit10: hitAtK(embed, c, 10),
            embedLar: localAlignmentRate(embed, c),
            baseHit10: hitAtK(base, c, 10),
            baseLar: localAlignmentRate(base, c),
            adjustedHit10: hitAtK(baseAdjusted, c, 10),
            adjustedLar: localAlignmentRate(baseAdjusted, c),
          }
        : undefined,
    };
  });
}
