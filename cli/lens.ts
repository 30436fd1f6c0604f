#!/usr/bin/env -S npx tsx
/**
 * lens — Embedding Lens on the command line, over the same src/core and runtime
 * as the app. Runs offline on the pairs in models/.
 */
import { parseArgs } from 'node:util';
import { align, analyze, models, spectrum } from './commands';
import { UsageError } from './io';
import { layers } from './layers';
import type { Options } from './pair';

const HELP = `lens — what an LLM text embedding says in tokens

Usage: npm run lens -- <command> [options]

Commands:
  align    --pair <id> --input <file|-> [--k 10] [--lambda <x>|v1] [--json]
           Top aligned tokens of each text under both models, with Hit@k and LAR.
  analyze  --pair <id> --input <file> [--k 10] [--limit N] [--json] [--per-text] [--layers]
           Dataset analysis: Hit@10, LAR, GAR for base, embed and base + v1·u1,
           the same over content tokens, and the spectral variation v1..v20.
           --layers adds Hit@10, content Hit@10 and LAR at every layer (logit lens).
  layers   --pair <id> --input <file|-> [--k 10] [--lambda <x>|v1] [--json]
           Each layer's top tokens of both models (pooled state through the final
           norm and W), shallow to deep; the last layer is what align prints.
  models   [--json]  The model pairs this build knows.
  spectrum --pair <id> [--out file]
           u1 and v1..v20 of the pair's sample sentences, for the manifest's "spectrum".
  index    --pair <id> (--corpus <tsv> [--queries <tsv>] | --msmarco-sample) --out <dir>
           [--k 64] [--m 0] [--weights relu|log-relu|softmax|logit] [--limit N]
           Sparse index of aligned tokens, written for Anserini/Pyserini
           (JsonVectorCollection + JsonStringVector topics) and Elasticsearch/
           OpenSearch (rank_features mapping, bulk NDJSON, _msearch NDJSON).
  search   --pair <id> (--corpus <tsv> | --msmarco-sample | --index <dir>) --query "<text>" [--top 10]
           [--k] [--m] [--weights] [--bm25 words|tokens] [--json]
           Sparse, dense and BM25 results, with the query tokens each matched
           (--index: the directory lens index wrote; only the query is embedded).
  evaluate --pair <id> (--corpus <tsv> --queries <tsv> --qrels <tsv> | --msmarco-sample)
           [--k] [--m] [--weights] [--bm25] [--limit N] [--json]
           nDCG@10, MRR@10, Recall@100 and costs of sparse, dense and BM25.
           TSVs: id<TAB>text; qrels query_id<TAB>doc_id<TAB>relevance.

Input files: one text per line, .csv/.tsv (column --column), .jsonl (field --column),
or STS-B's sts-*.csv layout. Without --column: the only column, else the one named
text, sentence, query or passage; else the columns are listed to choose from.
Options: --format lines|csv|tsv|jsonl|stsb, --models-dir <dir>, --help.

A pair of Hub models instead of --pair (bodies via transformers.js, the base model's
LM head read from its safetensors with Range requests):
  --embed <hub id> --base <hub id> --pooling last|mean|weighted-mean [--template "…{text}…"]
  --prompt-eol <hub id>   PromptEOL on one causal LM (template's last token vs mean pooling)
  --hub-url <url>         the Hub's base URL (default https://huggingface.co)
  --dtype fp32|fp16|q8|q4|q4f16   the bodies' ONNX variant (default fp32 where the repos have it)
  --cache-dir <dir>       where Hub downloads are kept (default .cache/hub/<hub>)
The demo pair's id is "demo".`;

// The retrieval commands load on demand, so that the other commands do not pay for their modules at start-up.
const retrieval = () => import('./retrieval');
const COMMANDS: Record<string, (options: Options) => Promise<void>> = {
  align,
  analyze,
  layers,
  models,
  spectrum,
  index: async (options) => (await retrieval()).index(options),
  search: async (options) => (await retrieval()).search(options),
  evaluate: async (options) => (await retrieval()).evaluate(options),
};

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`lens: ${(error as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return command || parsed.values.help ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`lens: unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}.\n`);
    return 2;
  }
  try {
    await run(parsed.values);
    return 0;
  } catch (error) {
    process.stderr.write(`\nlens ${command}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      pair: { type: 'string' },
      input: { type: 'string' },
      k: { type: 'string' },
      lambda: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string' },
      column: { type: 'string' },
      'models-dir': { type: 'string' },
      embed: { type: 'string' },
      base: { type: 'string' },
      pooling: { type: 'string' },
      template: { type: 'string' },
      'prompt-eol': { type: 'string' },
      'hub-url': { type: 'string' },
      'cache-dir': { type: 'string' },
      dtype: { type: 'string' },
      json: { type: 'boolean' },
      pretty: { type: 'boolean' },
      'per-text': { type: 'boolean' },
      layers: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      corpus: { type: 'string' },
      queries: { type: 'string' },
      qrels: { type: 'string' },
      query: { type: 'string' },
      m: { type: 'string' },
      weights: { type: 'string' },
      bm25: { type: 'string' },
      top: { type: 'string' },
      out: { type: 'string' },
      'index-name': { type: 'string' },
      index: { type: 'string' },
      'msmarco-sample': { type: 'boolean' },
    },
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
