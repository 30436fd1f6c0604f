import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end, collecting what it prints (tests and tools that drive the CLI). */
export function runCommand(command: string, args: string[], options: { input?: string; cwd?: string } = {}): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The lens CLI as tests start it from the repository's root: `lensCommand(['align', …])` gives the command and its
 * arguments. Node with tsx's loader rather than `npx tsx`, which starts npm and then a second Node first: about a
 * second of CPU a run, and the tests run the CLI dozens of times.
 */
export function lensCommand(args: string[]): [command: string, args: string[]] {
  return [process.execPath, ['--import', 'tsx', 'cli/lens.ts', ...args]];
}

/** Runs the lens CLI (lensCommand) to its end. */
export function runLens(args: string[], options: { input?: string; cwd?: string } = {}): Promise<CommandResult> {
  return runCommand(...lensCommand(args), options);
}
