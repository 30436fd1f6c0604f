import { describe, expect, it, vi } from 'vitest';
import { WORKER_READY } from '../worker/protocol';
import { startWorker } from './workerStart';

/** A stand-in for a module worker: it says it runs when `start()` is called, and records what it is sent. */
class FakeWorker extends EventTarget {
  sent: unknown[] = [];
  terminated = false;
  postMessage(message: unknown) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  start() {
    this.dispatchEvent(new MessageEvent('message', { data: WORKER_READY }));
  }
}

describe('startWorker', () => {
  it('holds messages until the worker says it runs, in order', async () => {
    const workers: FakeWorker[] = [];
    const started = startWorker(() => workers[workers.push(new FakeWorker()) - 1] as unknown as Worker, { startMs: 1000, attempts: 3 });
    started.endpoint.postMessage('a');
    started.endpoint.postMessage('b');
    await Promise.resolve();
    expect(workers[0].sent).toEqual([]);
    workers[0].start();
    await new Promise((r) => setTimeout(r, 0));
    expect(workers[0].sent).toEqual(['a', 'b']);
    expect(workers).toHaveLength(1);
  });

  it('starts a twin beside a worker that never says it runs; the first to run wins, the rest are ended', async () => {
    vi.useFakeTimers();
    const workers: FakeWorker[] = [];
    const events: string[] = [];
    const started = startWorker(() => workers[workers.push(new FakeWorker()) - 1] as unknown as Worker, {
      startMs: 2000,
      attempts: 3,
      onEvent: (e) => events.push(`${e.kind} ${e.attempt}`),
    });
    const replies: unknown[] = [];
    started.endpoint.addEventListener('message', (e) => replies.push((e as MessageEvent).data));
    started.endpoint.postMessage('load');
    vi.advanceTimersByTime(2000);
    expect(workers).toHaveLength(2);
    workers[1].start(); // the stuck first worker never does
    await vi.runAllTimersAsync();
    expect(workers[0].terminated).toBe(true);
    expect(workers[1].sent).toEqual(['load']);
    expect(workers).toHaveLength(2); // no third once one runs
    workers[1].dispatchEvent(new MessageEvent('message', { data: 'reply' }));
    expect(replies).toContain('reply');
    expect(events).toEqual(['starting 1', 'starting 2', 'started 2']);
    vi.useRealTimers();
  });
});
