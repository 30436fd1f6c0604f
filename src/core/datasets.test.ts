import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseField, DatasetError, formatFromName, listFields, parseTexts } from './datasets';

describe('parsing user datasets', () => {
  it('one text per line: empty lines skipped and counted', () => {
    expect(parseTexts('a b\n\n  \nc d\n', 'lines')).toEqual({ texts: ['a b', 'c d'], skippedEmpty: 2 });
  });
  it('CSV column by name, quoted commas and newlines kept', () => {
    const csv = 'id,text\n1,"hello, world"\n2,"two\nlines"\n3,\n';
    expect(parseTexts(csv, 'csv')).toEqual({ texts: ['hello, world', 'two\nlines'], skippedEmpty: 1 });
    expect(() => parseTexts(csv, 'csv', 'body')).toThrow(/no column "body"; the columns are: id, text/);
  });
  it('JSONL: a malformed row names its line number', () => {
    expect(parseTexts('{"text":"x"}\n{"text":"y"}\n', 'jsonl').texts).toEqual(['x', 'y']);
    expect(() => parseTexts('{"text":"x"}\n{oops\n', 'jsonl')).toThrow(new DatasetError('not valid JSON', 2));
    expect(() => parseTexts('{"text":"x"}\n{"body":"y"}\n', 'jsonl')).toThrow(/line 2: no "text" field/);
  });
  it('the STS Benchmark test split: unique sentences from columns 6 and 7', () => {
    const content = readFileSync(new URL('../../public/data/stsb/sts-test.csv', import.meta.url), 'utf8');
    const { texts } = parseTexts(content, 'stsb');
    expect(texts.length).toBeGreaterThan(2000);
    expect(new Set(texts).size).toBe(texts.length);
    expect(formatFromName('sts-test.csv')).toBe('stsb');
  });
});

describe('which column or field holds the texts: asked, not guessed', () => {
  it('a column named sentence is used, whatever its place, and never the id before it', () => {
    const csv = 'id,sentence,label\n1,a girl is styling her hair .,0\n2,a man is playing a flute .,1\n';
    expect(listFields(csv, 'csv')).toEqual(['id', 'sentence', 'label']);
    expect(chooseField(['id', 'sentence', 'label'])).toEqual({ field: 'sentence', why: 'named' });
    expect(parseTexts(csv, 'csv').texts).toEqual(['a girl is styling her hair .', 'a man is playing a flute .']);
  });
  it('text, sentence, query and passage are recognised in any case', () => {
    for (const name of ['Text', 'SENTENCE', 'query', 'Passage']) {
      expect(chooseField(['id', name, 'label'])).toEqual({ field: name, why: 'named' });
    }
    expect(parseTexts('QID\tQuery\n1\twhat is a lens\n', 'tsv').texts).toEqual(['what is a lens']);
  });
  it('several fields and none named: the fields are listed and nothing is analysed until one is chosen', () => {
    const tsv = 'id\tbody\tlabel\na1\tthe first body\t0\na2\tthe second body\t1\n';
    expect(chooseField(listFields(tsv, 'tsv'))).toEqual({ field: undefined, fields: ['id', 'body', 'label'] });
    expect(() => parseTexts(tsv, 'tsv')).toThrow(/3 columns \(id, body, label\).*choose/);
    expect(parseTexts(tsv, 'tsv', 'body').texts).toEqual(['the first body', 'the second body']);
  });
  it('two recognised names (a query and a passage): asked too', () => {
    expect(chooseField(['query', 'passage'])).toEqual({ field: undefined, fields: ['query', 'passage'] });
  });
  it('a single column or a single text field is used as it is', () => {
    expect(chooseField(['body'])).toEqual({ field: 'body', why: 'only' });
    expect(parseTexts('body\nfirst\nsecond\n', 'csv').texts).toEqual(['first', 'second']);
    // JSONL: the fields are the first row's keys with string values (an id number is not a text).
    const jsonl = '{"n":1,"body":"first"}\n{"n":2,"body":"second"}\n';
    expect(listFields(jsonl, 'jsonl')).toEqual(['body']);
    expect(parseTexts(jsonl, 'jsonl').texts).toEqual(['first', 'second']);
  });
  it('JSONL with several string fields: listed and asked', () => {
    const jsonl = '{"id":"d1","title":"A title","abstract":"Some words."}\n';
    expect(listFields(jsonl, 'jsonl')).toEqual(['id', 'title', 'abstract']);
    expect(() => parseTexts(jsonl, 'jsonl')).toThrow(/3 fields \(id, title, abstract\).*choose/);
    expect(parseTexts(jsonl, 'jsonl', 'abstract').texts).toEqual(['Some words.']);
  });
  it('lines and the STS Benchmark have no fields to choose from', () => {
    expect(listFields('one\ntwo\n', 'lines')).toEqual([]);
  });
});
