import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, readViewState, writeViewState } from './urlState';

describe('view state in the URL', () => {
  it('round-trips text (with odd characters), pair, λ and k', () => {
    const view = { ...DEFAULT_VIEW, text: 'Ünïcode & <b>html</b> 🙂 + spaces', lambda: -3.25, k: 20 };
    expect(readViewState(writeViewState(view))).toEqual(view);
  });
  it('falls back to defaults for malformed values', () => {
    expect(readViewState('?k=7&lambda=abc&backend=gpu')).toEqual(DEFAULT_VIEW);
  });
  it('keeps unrelated parameters', () => {
    expect(writeViewState(DEFAULT_VIEW, '?debug=1')).toContain('debug=1');
    expect(readViewState(writeViewState({ ...DEFAULT_VIEW, hub: 'http://127.0.0.1:8765' })).hub).toBe('http://127.0.0.1:8765');
  });
});
