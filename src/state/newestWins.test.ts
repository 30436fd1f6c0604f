import { describe, expect, it } from 'vitest';
import { newestWins, oneInFlight } from './newestWins';

/** A promise settled from outside: a worker reply that arrives when the test says. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('newestWins', () => {
  it('applies only the newest request, whatever order the replies come in', async () => {
    const latest = newestWins();
    const applied: string[] = [];
    const request = async (reply: Promise<string>) => {
      const ticket = latest.next();
      const value = await reply;
      if (latest.isCurrent(ticket)) applied.push(value);
    };
    const first = deferred<string>();
    const second = deferred<string>();
    const done = [request(first.promise), request(second.promise)];
    second.resolve('second');
    first.resolve('first'); // late: a newer request was made
    await Promise.all(done);
    expect(applied).toEqual(['second']);
  });

  it('counts tickets up from 1; invalidate() makes every ticket stale without starting a request', () => {
    const latest = newestWins();
    expect(latest.current()).toBe(0);
    const ticket = latest.next();
    expect(ticket).toBe(1);
    expect(latest.isCurrent(ticket)).toBe(true);
    latest.invalidate();
    expect(latest.isCurrent(ticket)).toBe(false);
    expect(latest.next()).toBe(3);
    expect(latest.current()).toBe(3);
  });

  it('keeps separate counters apart', () => {
    const a = newestWins();
    const b = newestWins();
    const ticket = a.next();
    b.next();
    expect(a.isCurrent(ticket)).toBe(true);
  });
});

describe('oneInFlight', () => {
  it('runs at once when idle, folds the calls made meanwhile into one more run that sees the newest value', async () => {
    let value = 0;
    const seen: number[] = [];
    const replies: ReturnType<typeof deferred<void>>[] = [];
    let started = 0;
    const send = oneInFlight(async () => {
      started++;
      seen.push(value);
      const reply = deferred<void>();
      replies.push(reply);
      await reply.promise;
    });

    value = 1;
    const first = send();
    expect(started).toBe(1);
    // Ticks while the first is in flight.
    for (const tick of [2, 3, 4]) {
      value = tick;
      void send();
    }
    expect(started).toBe(1);

    replies[0].resolve();
    await first;
    await Promise.resolve();
    expect(started).toBe(2);
    expect(seen).toEqual([1, 4]);

    replies[1].resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toBe(2); // nothing was asked meanwhile: no third run
  });

  it('starts the folded run even when the one in flight fails', async () => {
    let runs = 0;
    const failing = deferred<void>();
    const send = oneInFlight(async () => {
      runs++;
      if (runs === 1) {
        await failing.promise;
        throw new Error('worker gone');
      }
    });
    const first = send();
    void send();
    failing.resolve();
    await expect(first).rejects.toThrow('worker gone');
    await Promise.resolve();
    expect(runs).toBe(2);
  });
});
