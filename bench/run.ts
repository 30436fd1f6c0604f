export {};

/**
 * `npm run bench -- <name>`: projection | slider | layers | browser | analysis | realsize | all (all leaves out realsize).
 * Each prints the machine, a table with the baseline measured in the same run
 * beside every figure, and ends with one JSON line. See bench/README.md.
 */
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  projection: () => import('./projection'),
  slider: () => import('./slider'),
  layers: () => import('./layers'),
  browser: () => import('./browser'),
  analysis: () => import('./analysis'),
  realsize: () => import('./realsize'),
};

const [name, ...args] = process.argv.slice(2);
if (!name || (name !== 'all' && !BENCHES[name])) {
  process.stderr.write(`usage: npm run bench -- <${[...Object.keys(BENCHES), 'all'].join('|')}> [options]\n`);
  process.exit(2);
}
for (const key of name === 'all' ? Object.keys(BENCHES).filter((k) => k !== 'realsize') : [name]) {
  await (await BENCHES[key]()).run(args);
}
process.exit(process.exitCode ?? 0);
