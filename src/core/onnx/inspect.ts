/**
 * What a downloaded graph is made of and what the app's edits did to it, in a few lines: the op-type histogram,
 * the hidden state the LM head reads, each layer tap (or why there are none). verify:hub prints this for every
 * real graph, so the first run with internet confirms or refutes the facts the stand-ins were built from
 * (docs/hub-facts.md, "The graphs inside").
 */
import { type GraphNode, indexGraph } from './graph';
import { HIDDEN_STATE_OUTPUT, LAYER_OUTPUT_PREFIX, NO_LAYERS_PREFIX, PATCH_NAMESPACE } from './patch';
import { findHiddenStateName, findLayerTaps, type Tap } from './patterns';

export interface GraphReport {
  /** Op type → node count, most frequent first (the app's own added nodes left out). */
  ops: [string, number][];
  /** Whether the app's patch is in the graph (a copy as the app keeps it after download). */
  patched: boolean;
  /** The tensor the app reads as the final hidden state, or undefined (then: why not). */
  hidden?: string;
  /** Each layer's tap, shallow to deep, as found in the graph; or the reason there are none. */
  layers: { taps: string[] } | { reason: string };
}

export function inspectGraph(nodes: readonly GraphNode[], outputs: readonly string[]): GraphReport {
  const own = (node: GraphNode) => node.name?.startsWith(PATCH_NAMESPACE) || node.outputs.some((o) => o.startsWith(PATCH_NAMESPACE));
  const original = nodes.filter((node) => !own(node));
  const counts = new Map<string, number>();
  for (const node of original) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  const ops = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const graph = indexGraph(original);
  const hasHidden = outputs.includes(HIDDEN_STATE_OUTPUT) && graph.producer.has(HIDDEN_STATE_OUTPUT);
  const hidden = hasHidden ? HIDDEN_STATE_OUTPUT : graph.producer.has('logits') ? findHiddenStateName(graph) : undefined;
  const patched = outputs.some((o) => o.startsWith(PATCH_NAMESPACE));
  const said = outputs.find((o) => o.startsWith(NO_LAYERS_PREFIX));
  let layers: GraphReport['layers'];
  if (said) layers = { reason: said.slice(NO_LAYERS_PREFIX.length) };
  else if (!hidden) layers = { reason: 'no final hidden state found' };
  else {
    const taps = findLayerTaps(graph, hidden);
    layers = 'reason' in taps ? taps : { taps: taps.layers.map(tapName) };
  }
  return { ops, patched: patched && outputs.some((o) => o.startsWith(LAYER_OUTPUT_PREFIX) || o === HIDDEN_STATE_OUTPUT), hidden, layers };
}

function tapName(tap: Tap): string {
  return typeof tap === 'string' ? tap : `${tap.sum.join(' + ')} (summed by the app)`;
}

/** The report as the lines verify:hub prints under a file's name. */
export function reportLines(report: GraphReport): string[] {
  const lines = [`ops: ${report.ops.map(([op, n]) => `${op} ${n}`).join(', ')}`];
  lines.push(`hidden state: ${report.hidden ?? 'not found (the app cannot read this graph as a body)'}`);
  if ('reason' in report.layers) lines.push(`layers: none — ${report.layers.reason}`);
  else {
    const { taps } = report.layers;
    lines.push(`layers: ${taps.length} tapped, first ${taps[0]}, last ${taps.at(-1)}`);
  }
  lines.push(`app's edits in this copy: ${report.patched ? 'applied' : 'none'}`);
  return lines;
}
