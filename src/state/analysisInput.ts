import { chooseField, type FieldChoice, formatFromName, listFields, type TextFormat } from '../core/datasets';
import { decodeTextFile } from '../core/textFile';

/**
 * What an analysis was asked to read (the dataset, the file and its column, how many texts), kept with
 * its result so the view can say when the results shown are not of the dataset chosen now (a file
 * refused, another file, another column or size). Kept apart from analysisStore to keep that store small.
 */
export type DatasetSource = 'stsb' | 'msmarco' | 'file';

export interface DatasetFile {
  name: string;
  content: string;
  format: TextFormat;
  /** The columns (CSV/TSV) or string fields (JSONL) a text can come from; empty for one text per line. */
  fields: string[];
  /** Which of them was taken without asking, or that the user must choose. */
  choice: FieldChoice;
}

export interface AnalysisInput {
  source: DatasetSource;
  fileName?: string;
  column?: string;
  limit: number;
}

/** A file's bytes as a dataset: refused (DatasetError, one line naming the file) when it is not text. */
export function readDatasetFile(name: string, bytes: Uint8Array): DatasetFile {
  const content = decodeTextFile(name, bytes);
  const format = formatFromName(name);
  const fields = listFields(content, format);
  return { name, content, format, fields, choice: chooseField(fields) };
}

export function inputOf(state: { source: DatasetSource; file?: DatasetFile; column: string; limit: number }): AnalysisInput {
  if (state.source !== 'file') return { source: state.source, limit: state.limit };
  return { source: 'file', fileName: state.file?.name, column: state.file?.fields.length ? state.column : undefined, limit: state.limit };
}

const sameInput = (a: AnalysisInput, b: AnalysisInput) => a.source === b.source && a.fileName === b.fileName && a.column === b.column && a.limit === b.limit;

/** Why the results shown are not of the dataset chosen now, in words, or undefined when they are. */
export function inputNote(result: { input: AnalysisInput; dataset: string; report: { n: number } } | undefined, now: AnalysisInput): string | undefined {
  if (!result || sameInput(result.input, now)) return undefined;
  const column = result.input.column ? `, column “${result.input.column}”` : '';
  return `These results are of ${result.dataset}${column} (${result.report.n} texts), not of the dataset chosen now: run the analysis to update them.`;
}

/** One line on which column or field is read, or that the user must choose one; undefined when there is nothing to say. */
export function fieldNote(file: DatasetFile | undefined, column: string): string | undefined {
  if (!file || file.fields.length < 2) return undefined;
  const noun = file.format === 'jsonl' ? 'field' : 'column';
  const listed = `${file.fields.length} ${noun}s (${file.fields.join(', ')})`;
  if (file.choice.field === undefined && !column) {
    return `The file has ${listed} and none is named text, sentence, query or passage: choose the one that holds the texts.`;
  }
  if (file.choice.field !== undefined && file.choice.why === 'named' && column === file.choice.field) {
    return `Reading the ${noun} “${column}” of ${listed}: its name says it holds the texts; choose another below if not.`;
  }
  return undefined;
}
