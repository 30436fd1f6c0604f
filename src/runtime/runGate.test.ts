import { describe, expect, it } from 'vitest';
import { RunGate } from './runGate';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RunGate', () => {
  it('runs one at a time, foreground before background, each in arrival order', async () => {
    const gate = new RunGate();
    const order: string[] = [];
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((r) => (release = r)).then(() => void order.push('first')), true);
    await tick();
    const later = [
      gate.run(async () => void order.push('bg1'), true),
      gate.run(async () => void order.push('fg1')),
      gate.run(async () => void order.push('bg2'), true),
      gate.run(async () => void order.push('fg2')),
    ];
    expect(gate.queued).toBe(4);
    release();
    await Promise.all([first, ...later]);
    expect(order).toEqual(['first', 'fg1', 'fg2', 'bg1', 'bg2']);
    expect(gate.queued).toBe(0);
  });

  it('a foreground caller that runs again at once keeps the gate before waiting background work', async () => {
    const gate = new RunGate();
    const order: string[] = [];
    let release!: () => void;
    const background = (async () => {
      await gate.run(() => new Promise<void>((r) => (release = r)).then(() => void order.push('bg1')), true);
      await gate.run(async () => void order.push('bg2'), true);
    })();
    await tick();
    const foreground = (async () => {
      await gate.run(async () => void order.push('fg1'));
      await gate.run(async () => void order.push('fg2')); // e.g. the base model after the embedder
    })();
    release();
    await Promise.all([background, foreground]);
    expect(order).toEqual(['bg1', 'fg1', 'fg2', 'bg2']);
  });

  it('passes on after a failed run and returns results', async () => {
    const gate = new RunGate();
    await expect(gate.run(async () => Promise.reject(new Error('model failed')))).rejects.toThrow('model failed');
    await expect(gate.run(async () => 42)).resolves.toBe(42);
  });

  it('never runs two at once', async () => {
    const gate = new RunGate();
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate.run(
          async () => {
            most = Math.max(most, ++running);
            await tick();
            running--;
          },
          i % 3 === 0,
        ),
      ),
    );
    expect(most).toBe(1);
  });
});
