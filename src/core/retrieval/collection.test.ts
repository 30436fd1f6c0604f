import { describe, expect, it } from 'vitest';
import { CollectionError, msmarcoSample, parseEntries, parseQrels } from './collection';

describe('retrieval TSV inputs', () => {
  it('reads id<TAB>text rows, skipping blank lines and a header', () => {
    expect(parseEntries('id\ttext\nd1\tHello there\n\nd2\tA\ttabbed text\n', 'corpus')).toEqual([
      { id: 'd1', text: 'Hello there' },
      { id: 'd2', text: 'A tabbed text' },
    ]);
  });

  it.each([
    ['', /corpus file has no rows/],
    ['\n\n', /corpus file has no rows/],
    ['d1 no tab here', /line 1: expected "id<TAB>text"/],
    ['d1\tok\nd2\t   ', /line 2: "d2" has an empty text/],
    ['d1\tone\nd2\ttwo\nd1\tagain', /line 3: duplicate id "d1" \(first on line 1\)/],
    ['\tno id', /line 1: the id is empty/],
  ])('rejects bad corpus %j', (content, message) => {
    expect(() => parseEntries(content, 'corpus')).toThrow(message);
    expect(() => parseEntries(content, 'corpus')).toThrow(CollectionError);
  });

  it('reads qrels and rejects unknown ids with their lines', () => {
    const qrels = parseQrels('query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq2\td2\t2\n', ['q1', 'q2'], ['d1', 'd2']);
    expect(qrels.get('q1')).toEqual(
      new Map([
        ['d1', 1],
        ['d2', 0],
      ]),
    );
    expect(qrels.get('q2')?.get('d2')).toBe(2);
    expect(() => parseQrels('q1\td9\t1\nq7\td1\t1', ['q1'], ['d1'])).toThrow(/2 unknown id\(s\): line 1: document "d9"; line 2: query "q7"/);
    expect(() => parseQrels('q1\td1', ['q1'], ['d1'])).toThrow(/line 1: expected "query_id<TAB>doc_id<TAB>relevance", found 2/);
    expect(() => parseQrels('q1\td1\thigh', ['q1'], ['d1'])).toThrow(/relevance "high" is not a number/);
    expect(() => parseQrels('', ['q1'], ['d1'])).toThrow(/no rows/);
  });

  it('turns the MS MARCO sample into a corpus, queries and one judgement per query', () => {
    const sample = msmarcoSample('what is a cat?\tA cat is a small mammal.\nwho won?\tThe home team won.\nextra\trow\n', 2);
    expect(sample.queries).toEqual([
      { id: 'q0', text: 'what is a cat?' },
      { id: 'q1', text: 'who won?' },
    ]);
    expect(sample.corpus.map((d) => d.id)).toEqual(['p0', 'p1']);
    expect(sample.qrels.get('q1')).toEqual(new Map([['p1', 1]]));
    expect(() => msmarcoSample('only a query\n')).toThrow(/line 1/);
  });
});
