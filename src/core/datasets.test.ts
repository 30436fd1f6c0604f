import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatasetError, formatFromName, parseTexts } from './datasets';

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
    expect(() => parseTexts('{"body":"x"}\n', 'jsonl')).toThrow(/line 1: no "text" field/);
  });
  it('the STS Benchmark test split: unique sentences from columns 6 and 7', () => {
    const content = readFileSync(new URL('../../public/data/stsb/sts-test.csv', import.meta.url), 'utf8');
    const { texts } = parseTexts(content, 'stsb');
    expect(texts.length).toBeGreaterThan(2000);
    expect(new Set(texts).size).toBe(texts.length);
    expect(formatFromName('sts-test.csv')).toBe('stsb');
  });
});
