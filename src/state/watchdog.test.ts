import { describe, expect, it } from 'vitest';
import { LoadWatchdog, STALL_MS } from './watchdog';

describe('LoadWatchdog', () => {
  it('says nothing while any step moves, then names the step begun last of those still open', () => {
    const dog = new LoadWatchdog(0);
    dog.begin('1', 'the server for demo/manifest.json', 0);
    dog.end('1', 100);
    dog.begin('2', "a write to the browser's cache storage", 200);
    dog.begin('3', "the browser's cache storage", 300);
    for (let t = 1000; t < 30_000; t += 1000) {
      dog.progress('file:a', 'downloading a', t); // bytes keep flowing: no stall
      expect(dog.stalled(t)).toBeUndefined();
    }
    dog.end('file:a', 30_000);
    expect(dog.stalled(30_000 + STALL_MS - 1)).toBeUndefined();
    expect(dog.stalled(30_000 + STALL_MS + 5000)).toEqual({ label: "the browser's cache storage", seconds: 49 });
  });

  it('names the model worker when nothing at all is open', () => {
    const dog = new LoadWatchdog(0);
    expect(dog.stalled(20_000)).toEqual({ label: 'the model worker', seconds: 20 });
    expect(dog.stalled(2_000, 1_000)).toEqual({ label: 'the model worker', seconds: 2 });
  });
});
