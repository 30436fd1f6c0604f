/** Shared helpers for the benches: machine line, statistics, a results table, the JSON contract line. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Page } from '@playwright/test';

export const V = 151_936;
export const D = 1024;

export function machine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${load}`;
}

export function header(name: string, what: string): void {
  process.stdout.write(`# bench ${name}: ${what}\n# machine: ${machine()}\n# started: ${new Date().toISOString()}\n`);
}

export const median = (xs: number[]) => quantile(xs, 0.5);

/** Nearest-rank quantile. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));

export interface Row {
  what: string;
  value: string;
  baseline: string;
  ratio: string;
  note?: string;
}

/** A markdown table (pasted as-is into docs/benchmarks.md). */
export function table(rows: Row[]): void {
  const all = [{ what: 'what ran', value: 'ours', baseline: 'baseline (same run)', ratio: 'ratio', note: 'note' }, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((r) => (r[key] ?? '').length));
  const keys: (keyof Row)[] = ['what', 'value', 'baseline', 'ratio', 'note'];
  const line = (r: Row) => `| ${keys.map((k) => (r[k] ?? '').padEnd(width(k))).join(' | ')} |`;
  process.stdout.write(`${line(all[0])}\n| ${keys.map((k) => '-'.repeat(width(k))).join(' | ')} |\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

export const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The bench's last line: one JSON object (the contract other tools read). */
export function contract(value: Record<string, number>): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Seeded uniform in [0, 1) (xorshift32), for synthetic data. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

export const sleep = (msToWait: number) => new Promise((r) => setTimeout(r, msToWait));

/**
 * Sets a control's value as a user's input does, then times until the column's
 * tokens change and the next frame is drawn. Returns [to DOM, to next frame] ms.
 */
export const INPUT_TO_PAINT = `async ({ control, value, column, timeoutMs }) => {
  const ids = () =>
    Array.from(document.querySelectorAll('[data-testid="' + column + '"] [data-testid="aligned-token"]'))
      .map((el) => el.getAttribute('data-token-id'))
      .join(',');
  const el = document.querySelector('[data-testid="' + control + '"]');
  const before = ids();
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const started = performance.now();
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  const changed = await new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      const now = ids();
      if (now !== before && now !== '') {
        observer.disconnect();
        resolve(performance.now());
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    setTimeout(() => {
      observer.disconnect();
      reject(new Error(control + ' = ' + value + ': ' + column + ' did not change in ' + timeoutMs / 1000 + ' s'));
    }, timeoutMs);
  });
  // The frame that shows it: after the next animation frame's paint.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  return [changed - started, performance.now() - started];
}`;

export function inputToPaint(page: Page, control: string, value: string, column: string, timeoutMs = 20_000): Promise<[number, number]> {
  return page.evaluate(`(${INPUT_TO_PAINT})(${JSON.stringify({ control, value, column, timeoutMs })})`) as Promise<[number, number]>;
}
