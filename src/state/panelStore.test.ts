import { describe, expect, it } from 'vitest';
import { readPanels, writePanels } from './panelStore';

describe('open panels in the URL', () => {
  it('round-trips, keeping the other parameters and ignoring unknown names', () => {
    const search = writePanels('?text=hi', ['contribution', 'layers']);
    expect(search).toBe('?text=hi&panels=layers%2Ccontribution');
    expect(readPanels(search)).toEqual(['layers', 'contribution']);
    expect(readPanels('?panels=nope,layers')).toEqual(['layers']);
  });
  it('leaves the parameter out when no panel is open', () => {
    expect(writePanels('?text=hi&panels=layers', [])).toBe('?text=hi');
  });
});
