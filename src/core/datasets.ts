import Papa from 'papaparse';

/**
 * Turning a user's file into a list of texts: one text per line, a CSV/TSV
 * column, a JSONL field, or the STS Benchmark's own layout. Empty texts are
 * skipped and counted; a malformed row is reported with its line number.
 */
export type TextFormat = 'lines' | 'csv' | 'tsv' | 'jsonl' | 'stsb';

export interface ParsedTexts {
  texts: string[];
  /** Empty lines or cells that were skipped. */
  skippedEmpty: number;
}

export class DatasetError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** Guesses the format from a file name. */
export function formatFromName(name: string): TextFormat {
  const lower = name.toLowerCase();
  if (/sts-(train|dev|test)\.csv$/.test(lower)) return 'stsb';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv')) return 'tsv';
  return 'lines';
}

export function parseTexts(content: string, format: TextFormat, column?: string): ParsedTexts {
  const texts: string[] = [];
  let skippedEmpty = 0;
  const push = (value: unknown) => {
    const text = typeof value === 'string' ? value.trim() : '';
    if (text) texts.push(text);
    else skippedEmpty++;
  };

  if (format === 'lines') {
    for (const line of content.split(/\r?\n/)) push(line);
    if (content.endsWith('\n')) skippedEmpty--; // the file's final newline is not an empty text
    return { texts, skippedEmpty: Math.max(0, skippedEmpty) };
  }

  if (format === 'jsonl') {
    const field = column ?? 'text';
    content.split(/\r?\n/).forEach((line, index) => {
      if (!line.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new DatasetError('not valid JSON', index + 1);
      }
      if (!row || typeof row !== 'object' || !(field in row)) throw new DatasetError(`no "${field}" field`, index + 1);
      push((row as Record<string, unknown>)[field]);
    });
    return { texts, skippedEmpty };
  }

  if (format === 'stsb') {
    // The STS Benchmark: tab-separated, sentence 1 and 2 in columns 6 and 7; unique sentences in file order.
    const seen = new Set<string>();
    content.split(/\r?\n/).forEach((line, index) => {
      if (!line.trim()) return;
      const cells = line.split('\t');
      if (cells.length < 7) throw new DatasetError(`expected 7 tab-separated columns, found ${cells.length}`, index + 1);
      for (const sentence of [cells[5], cells[6]]) {
        const text = sentence.trim();
        if (!text) skippedEmpty++;
        else if (!seen.has(text)) {
          seen.add(text);
          texts.push(text);
        }
      }
    });
    return { texts, skippedEmpty };
  }

  const parsed = Papa.parse<Record<string, string>>(content.trim(), {
    header: true,
    delimiter: format === 'tsv' ? '\t' : ',',
    skipEmptyLines: true,
  });
  const fatal = parsed.errors.find((e) => e.type !== 'FieldMismatch' || e.code === 'TooFewFields');
  if (fatal) throw new DatasetError(fatal.message, (fatal.row ?? 0) + 2);
  const fields = parsed.meta.fields ?? [];
  const field = column ?? (fields.includes('text') ? 'text' : fields[0]);
  if (!field || !fields.includes(field)) {
    throw new DatasetError(`no column "${column}"; the columns are: ${fields.join(', ')}`);
  }
  for (const row of parsed.data) push(row[field]);
  return { texts, skippedEmpty };
}
