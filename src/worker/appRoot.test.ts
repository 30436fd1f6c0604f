import { describe, expect, it } from 'vitest';
import { appRootPath } from './appRoot';

describe('appRootPath', () => {
  it('keeps an absolute base (the dev server)', () => {
    expect(appRootPath('/', 'http://localhost:5173/src/worker/lens.worker.ts')).toBe('/');
    expect(appRootPath('/lens', 'http://localhost:5173/src/worker/lens.worker.ts')).toBe('/lens/');
  });
  it('finds the root one folder above the built worker for a relative base, at any sub-path', () => {
    expect(appRootPath('./', 'https://user.github.io/embedding-lens/assets/lens.worker-abc.js')).toBe('/embedding-lens/');
    expect(appRootPath('./', 'http://127.0.0.1:4480/a/b/assets/lens.worker-abc.js')).toBe('/a/b/');
    expect(appRootPath('./', 'http://127.0.0.1:4480/assets/lens.worker-abc.js')).toBe('/');
    expect(appRootPath('', 'http://127.0.0.1:4480/x/assets/w.js')).toBe('/x/');
  });
  it('keeps percent-escapes of the path', () => {
    expect(appRootPath('./', 'http://h/my%20lens/assets/w.js')).toBe('/my%20lens/');
  });
});
