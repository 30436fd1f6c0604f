export {};

/**
 * `npm run bench -- <name>`: projection | slider | layers | browser | analysis | settle | realsize | all (all leaves out realsize and settle).
 * Each prints the machine, a table with the baseline measured in the same run
 * beside every figure, and ends with one JSON line. See bench/README.md.
 */
const [name, ...args] = process.argv.slice(2);
/** `realsize --browser=firefox|webkit` drives Debian's Firefox ESR or WebKitGTK (bench/realsizeEngines.ts); Chromium is bench/realsize.ts. */
const engine = args.find((a) => a.startsWith('--browser='))?.slice('--browser='.length);

const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  projection: () => import('./projection'),
  slider: () => import('./slider'),
  layers: () => import('./layers'),
  browser: () => import('./browser'),
  analysis: () => import('./analysis'),
  settle: () => import('./settle'),
  realsize: async () =>
    engine === 'firefox' || engine === 'webkit' ? { run: async (a: string[]) => (await import('./realsizeEngines')).run(engine, a) } : import('./realsize'),
};

if (!name || (name !== 'all' && !BENCHES[name])) {
  process.stderr.write(`usage: npm run bench -- <${[...Object.keys(BENCHES), 'all'].join('|')}> [options]\n`);
  process.exit(2);
}
for (const key of name === 'all' ? Object.keys(BENCHES).filter((k) => k !== 'realsize' && k !== 'settle') : [name]) {
  await (await BENCHES[key]()).run(args);
}
process.exit(process.exitCode ?? 0);
