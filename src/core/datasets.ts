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

/** Field names that say a column holds the texts, compared case-insensitively. */
export const TEXT_FIELD_NAMES: readonly string[] = ['text', 'sentence', 'query', 'passage'];

/**
 * The column a file's texts come from, when no one has said: the only field, or the one field whose name
 * says it holds the texts. Otherwise (no such name, or two of them, such as a query and a passage) it is
 * the user's choice: the fields are returned to be listed, never guessed from their order.
 */
export type FieldChoice = { field: string; why: 'only' | 'named' } | { field: undefined; fields: string[] };

export function chooseField(fields: readonly string[]): FieldChoice {
  if (fields.length === 1) return { field: fields[0], why: 'only' };
  const named = fields.filter((f) => TEXT_FIELD_NAMES.includes(f.trim().toLowerCase()));
  if (named.length === 1) return { field: named[0], why: 'named' };
  return { field: undefined, fields: [...fields] };
}

function csvRows(content: string, format: 'csv' | 'tsv') {
  return Papa.parse<Record<string, string>>(content.trim(), {
    header: true,
    delimiter: format === 'tsv' ? '\t' : ',',
    skipEmptyLines: true,
  });
}

/** The first JSONL row that is not blank, parsed; undefined when it is not a JSON object. */
function firstJsonRow(content: string): Record<string, unknown> | undefined {
  const line = content.split(/\r?\n/).find((l) => l.trim());
  if (!line) return undefined;
  try {
    const row: unknown = JSON.parse(line);
    return row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // parseTexts names the line
  }
}

/**
 * The fields a text can come from: a CSV/TSV's header; a JSONL file's first row's keys with string values
 * (an id number or a label is not a text). None for one text per line and for the STS Benchmark.
 */
export function listFields(content: string, format: TextFormat): string[] {
  if (format === 'csv' || format === 'tsv') return csvRows(content, format).meta.fields ?? [];
  if (format === 'jsonl') {
    const row = firstJsonRow(content);
    return row ? Object.keys(row).filter((key) => typeof row[key] === 'string') : [];
  }
  return [];
}

/** The column to read: the one asked for, else chooseField's; a DatasetError listing the fields when it must be asked. */
function fieldToRead(fields: readonly string[], column: string | undefined, noun: 'column' | 'field'): string | undefined {
  if (column) return column;
  const choice = chooseField(fields);
  if (choice.field !== undefined) return choice.field;
  if (!choice.fields.length) return undefined;
  throw new DatasetError(`the file has ${choice.fields.length} ${noun}s (${choice.fields.join(', ')}): choose the one that holds the texts`);
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
    const field = fieldToRead(listFields(content, 'jsonl'), column, 'field') ?? 'text';
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

  const parsed = csvRows(content, format);
  const fatal = parsed.errors.find((e) => e.type !== 'FieldMismatch' || e.code === 'TooFewFields');
  if (fatal) throw new DatasetError(fatal.message, (fatal.row ?? 0) + 2);
  const fields = parsed.meta.fields ?? [];
  const field = fieldToRead(fields, column, 'column');
  if (!field || !fields.includes(field)) {
    throw new DatasetError(`no column "${column}"; the columns are: ${fields.join(', ')}`);
  }
  for (const row of parsed.data) push(row[field]);
  return { texts, skippedEmpty };
}
