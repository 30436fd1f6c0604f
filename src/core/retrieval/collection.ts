import type { Qrels } from './evaluation';

/**
 * Retrieval inputs as TSV: `id<TAB>text` for the corpus and the queries,
 * `query_id<TAB>doc_id<TAB>relevance` for the qrels (BEIR's qrels/*.tsv layout;
 * a header row is recognised and skipped). Bad input fails with the line.
 */
export interface Entry {
  id: string;
  text: string;
}

export class CollectionError extends Error {}

const lines = (content: string) =>
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((text, index) => ({ text, line: index + 1 }))
    .filter((l) => l.text.trim().length > 0);

const HEADER_IDS = new Set(['id', '_id', 'docid', 'doc_id', 'qid', 'query_id', 'query-id']);

/** Parses `id<TAB>text` rows. Empty texts, rows without a tab and duplicate ids are errors. */
export function parseEntries(content: string, what: 'corpus' | 'queries'): Entry[] {
  const rows = lines(content);
  const entries: Entry[] = [];
  const seen = new Map<string, number>();
  for (const [index, { text, line }] of rows.entries()) {
    const tab = text.indexOf('\t');
    if (tab < 0) throw new CollectionError(`${what}, line ${line}: expected "id<TAB>text", found no tab`);
    const id = text.slice(0, tab).trim();
    const body = text
      .slice(tab + 1)
      .replace(/\t/g, ' ')
      .trim();
    if (index === 0 && HEADER_IDS.has(id.toLowerCase()) && /^(text|title|query|passage|contents)$/i.test(body)) continue;
    if (!id) throw new CollectionError(`${what}, line ${line}: the id is empty`);
    if (!body) throw new CollectionError(`${what}, line ${line}: "${id}" has an empty text`);
    const first = seen.get(id);
    if (first !== undefined) throw new CollectionError(`${what}, line ${line}: duplicate id "${id}" (first on line ${first})`);
    seen.set(id, line);
    entries.push({ id, text: body });
  }
  if (entries.length === 0) throw new CollectionError(`the ${what} file has no rows`);
  return entries;
}

/**
 * Parses qrels and checks every id against the corpus and the queries: a
 * judgement naming an unknown id is an error, listed with its line.
 */
export function parseQrels(content: string, queryIds: Iterable<string>, docIds: Iterable<string>): Qrels {
  const queries = new Set(queryIds);
  const docs = new Set(docIds);
  const qrels: Qrels = new Map();
  const unknown: string[] = [];
  for (const [index, { text, line }] of lines(content).entries()) {
    const cells = text.split('\t').map((c) => c.trim());
    if (index === 0 && HEADER_IDS.has(cells[0].toLowerCase()) && !Number.isFinite(Number(cells[2]))) continue;
    if (cells.length !== 3) throw new CollectionError(`qrels, line ${line}: expected "query_id<TAB>doc_id<TAB>relevance", found ${cells.length} column(s)`);
    const [query, doc, raw] = cells;
    const relevance = Number(raw);
    if (raw === '' || !Number.isFinite(relevance)) throw new CollectionError(`qrels, line ${line}: relevance "${raw}" is not a number`);
    if (!queries.has(query)) unknown.push(`line ${line}: query "${query}"`);
    if (!docs.has(doc)) unknown.push(`line ${line}: document "${doc}"`);
    let judged = qrels.get(query);
    if (!judged) {
      judged = new Map();
      qrels.set(query, judged);
    }
    judged.set(doc, relevance);
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join('; ');
    throw new CollectionError(`qrels name ${unknown.length} unknown id(s): ${shown}${unknown.length > 5 ? '; …' : ''}`);
  }
  if (qrels.size === 0) throw new CollectionError('the qrels file has no rows');
  return qrels;
}

export interface TestCollection {
  corpus: Entry[];
  queries: Entry[];
  qrels: Qrels;
}

/**
 * The bundled MS MARCO sample: `query<TAB>passage` per line; query i's one
 * relevant passage is passage i, and the passages form the corpus. Ids are
 * q<i> and p<i> (0-based line order). `limit` keeps the first N pairs.
 */
export function msmarcoSample(content: string, limit = Number.POSITIVE_INFINITY): TestCollection {
  const corpus: Entry[] = [];
  const queries: Entry[] = [];
  const qrels: Qrels = new Map();
  for (const { text, line } of lines(content)) {
    if (queries.length >= limit) break;
    const [query, ...rest] = text.split('\t');
    const passage = rest.join(' ').trim();
    if (!query.trim() || !passage) throw new CollectionError(`MS MARCO sample, line ${line}: expected "query<TAB>passage"`);
    const i = queries.length;
    queries.push({ id: `q${i}`, text: query.trim() });
    corpus.push({ id: `p${i}`, text: passage });
    qrels.set(`q${i}`, new Map([[`p${i}`, 1]]));
  }
  if (queries.length === 0) throw new CollectionError('the MS MARCO sample has no rows');
  return { corpus, queries, qrels };
}
