import { readFile } from 'node:fs/promises';
import { formatFromName, parseTexts, type TextFormat } from '../src/core/datasets';

/** A user error: printed as one clear line, exit code 2. */
export class UsageError extends Error {}

export async function readInput(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code})`);
  }
}

export async function readTexts(path: string, format?: string, column?: string) {
  const chosen = (format ?? (path === '-' ? 'lines' : formatFromName(path))) as TextFormat;
  if (!['lines', 'csv', 'tsv', 'jsonl', 'stsb'].includes(chosen)) throw new UsageError(`unknown --format "${format}"`);
  try {
    return parseTexts(await readInput(path), chosen, column);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${message}\x1b[K`);
  else process.stderr.write(`${message}\n`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

export function parseCount(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** A JSON value on stdout, one line (or indented with --pretty). */
export function writeJson(value: unknown, pretty: boolean): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}
