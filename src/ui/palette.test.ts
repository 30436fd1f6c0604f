import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cssVar, type Meaning, PALETTE } from './palette';

describe('palette', () => {
  const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');

  it('styles.css defines each meaning with the same colour as the figures use', () => {
    for (const meaning of Object.keys(PALETTE) as Meaning[]) {
      const match = new RegExp(`${cssVar(meaning)}:\\s*(#[0-9a-fA-F]{6});`).exec(css);
      expect(match?.[1], cssVar(meaning)).toBe(PALETTE[meaning]);
    }
  });

  it('gives each meaning its own colour', () => {
    const colours = Object.values(PALETTE).map((c) => c.toLowerCase());
    expect(new Set(colours).size).toBe(colours.length);
  });
});
