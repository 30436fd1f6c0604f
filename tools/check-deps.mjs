#!/usr/bin/env node
// Checks the shape of the import graph (madge builds it, type-only imports included):
//   - no import cycles in src/ or cli/;
//   - one direction of dependency: ui → state → worker protocol → runtime → shared → core.
//     src/ui and src/state reach src/runtime only through src/worker/protocol.ts (type re-exports);
//     src/shared and src/core never import the layers above them.
// Prints each violation and exits 1 if there is any.
import madge from 'madge';

// For files under the key: import prefixes they must not use.
const FORBIDDEN = {
  'src/core/': ['src/shared/', 'src/runtime/', 'src/worker/', 'src/state/', 'src/ui/'],
  'src/shared/': ['src/runtime/', 'src/worker/', 'src/state/', 'src/ui/'],
  'src/runtime/': ['src/worker/', 'src/state/', 'src/ui/'],
  'src/state/': ['src/runtime/', 'src/ui/'],
  'src/ui/': ['src/runtime/'],
};
// The worker entry and its protocol sit between state and runtime: the state layer may
// import the protocol's types, never the worker module itself.
const WORKER_ENTRY = 'src/worker/lens.worker.ts';

const graph = await madge(['src', 'cli'], {
  fileExtensions: ['ts', 'tsx'],
  tsConfig: 'tsconfig.json',
  excludeRegExp: [/\.wasm\?url$/, /node_modules/],
});

const problems = [];
for (const cycle of graph.circular()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);
for (const [file, imports] of Object.entries(graph.obj())) {
  const rule = Object.keys(FORBIDDEN).find((prefix) => file.startsWith(prefix));
  for (const target of imports) {
    if (rule && FORBIDDEN[rule].some((prefix) => target.startsWith(prefix))) problems.push(`layering: ${file} imports ${target}`);
    if (target === WORKER_ENTRY && (file.startsWith('src/ui/') || file.startsWith('src/state/'))) {
      problems.push(`layering: ${file} imports the worker module itself (use src/worker/protocol.ts)`);
    }
  }
}

if (problems.length) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`import graph: ${Object.keys(graph.obj()).length} files, no cycles, layering respected`);
