import { describe, expect, it } from 'vitest';
import { localModelReader } from './node';
import { LensSession } from './session';

// The random tiny pair (d = 32) in Node: enough to check what the session accepts as a direction.
describe('LensSession.setDirection refuses a direction from another pair, load or width', () => {
  it('names the cause and keeps the direction it had', async () => {
    const session = new LensSession(localModelReader());
    const first = await session.load('test-tiny', 'cpu');
    const second = await session.load('test-tiny', 'cpu');
    expect(second.loadId).not.toBe(first.loadId);
    const d = 32;
    const unit = Array.from({ length: d }, (_, i) => (i === 3 ? 1 : 0));

    await session.align(1, 'a cat sat on the mat', 10, 2);
    const before = session.shift(1, 2, 10);

    expect(() => session.setDirection(unit, { pairId: 'demo', loadId: second.loadId })).toThrow(
      'This u₁ was computed on the pair "demo", not on the loaded pair "test-tiny": it is not applied.',
    );
    expect(() => session.setDirection(unit, { pairId: 'test-tiny', loadId: first.loadId })).toThrow(/earlier load of this pair/);
    expect(() => session.setDirection(new Array(160).fill(0.1), { pairId: 'test-tiny', loadId: second.loadId })).toThrow(
      'This u₁ has 160 dimensions, but the loaded pair "test-tiny" has 32: it is not applied.',
    );
    // Nothing changed: the slider still moves along the pair's own u₁.
    expect(session.shift(1, 2, 10)).toEqual(before);

    // The matching direction is taken, and moves the base column differently.
    session.setDirection(unit, { pairId: 'test-tiny', loadId: second.loadId });
    expect(session.shift(1, 2, 10)?.scores).not.toEqual(before?.scores);
  });
});
