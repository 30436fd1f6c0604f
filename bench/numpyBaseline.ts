import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The Python that runs the numpy baseline (Debian's, as the project's tools use). */
export const PYTHON = process.env.LENS_PYTHON ?? '/usr/bin/python3';
export const BASELINE_SCRIPT = join(import.meta.dirname, 'numpy_baseline.py');

export type NumpyBaseline =
  | { ok: true; numpy: string; blas: string; path: string; optimized: boolean; env: NodeJS.ProcessEnv; how: string }
  | { ok: false; message: string };

/** Where Debian puts the optimized implementations of libblas.so.3 (alternatives of the reference one). */
const OPTIMIZED_DIRS = ['openblas-pthread', 'openblas-openmp', 'openblas-serial', 'blis-pthread', 'blis-openmp', 'blis-serial', 'atlas'];

function baseEnv(): NodeJS.ProcessEnv {
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set for training on this machine) slow a current numpy: unset for the child.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function probe(env: NodeJS.ProcessEnv): { numpy?: string; blas?: string; path?: string; error?: string } {
  const result = spawnSync(PYTHON, [BASELINE_SCRIPT, '--probe'], { env, encoding: 'utf8', timeout: 60_000 });
  if (result.error) return { error: `${PYTHON} could not run (${result.error.message})` };
  try {
    return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    return { error: `${PYTHON} --probe failed: ${(result.stderr || result.stdout).trim().split('\n').at(-1)}` };
  }
}

const optimized = (blas?: string) => blas !== undefined && blas !== 'reference BLAS' && blas !== 'unknown' && blas !== 'blas';

/**
 * numpy for the baseline, on an optimized BLAS where this machine has one: first as installed; if
 * that runs on the reference BLAS, with each optimized libblas.so.3 Debian has here put first on
 * LD_LIBRARY_PATH. Without numpy, one message saying what to install.
 */
export function findNumpy(): NumpyBaseline {
  const env = baseEnv();
  const first = probe(env);
  if (first.error || !first.numpy) {
    return {
      ok: false,
      message: `no numpy baseline: ${first.error ?? 'numpy did not answer'}. Install numpy with an optimized BLAS (Debian: apt-get install python3-numpy libopenblas0-pthread) and run the bench again.`,
    };
  }
  if (optimized(first.blas)) return { ok: true, numpy: first.numpy, blas: first.blas!, path: first.path ?? '', optimized: true, env, how: 'as installed' };
  const libDirs = ['/usr/lib', '/lib'].flatMap((root) =>
    existsSync(root)
      ? readdirSync(root)
          .filter((d) => d.endsWith('-linux-gnu'))
          .map((d) => join(root, d))
      : [],
  );
  for (const libDir of libDirs) {
    for (const name of OPTIMIZED_DIRS) {
      const dir = join(libDir, name);
      if (!existsSync(join(dir, 'libblas.so.3'))) continue;
      const withDir = { ...env, LD_LIBRARY_PATH: [dir, env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
      const found = probe(withDir);
      if (found.numpy && optimized(found.blas)) {
        return {
          ok: true,
          numpy: found.numpy,
          blas: found.blas!,
          path: found.path ?? '',
          optimized: true,
          env: withDir,
          how: `LD_LIBRARY_PATH=${dir} (the default libblas.so.3 is ${first.blas})`,
        };
      }
    }
  }
  return {
    ok: true,
    numpy: first.numpy,
    blas: first.blas ?? 'unknown',
    path: first.path ?? '',
    optimized: false,
    env,
    how: 'as installed; no optimized BLAS found on this machine',
  };
}
