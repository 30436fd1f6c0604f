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
 * and, under the catalog's real Hub ids, random stand-ins with the real repos' layout
 * and I/O (models/test-shapes, made by tools/test_pair/make_shaped_pairs.py):
 *   onnx-community/Qwen3-Embedding-0.6B-ONNX   last_hidden_state, position_ids input
 *   onnx-community/Qwen3-0.6B-Base-ONNX        logits-only causal-LM export with a KV cache
 *   Qwen/Qwen3-0.6B-Base                       W as sharded bf16 safetensors, padding rows
 *   HuggingFaceTB/SmolLM2-135M-Instruct        logits-only export + tied W (PromptEOL)
 *   hubtest/sgpt-125m-onnx, hubtest/gpt-neo-125m-onnx   tools/hub/export_sgpt.py's output uploaded
 *                                          to a user's repos (GPT-Neo-shaped; W as f32 transformer.wte.weight)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  publish('onnx-community/Qwen3-Embedding-0.6B-ONNX', 'test-shapes/qwen3-embed');
  publish('onnx-community/Qwen3-0.6B-Base-ONNX', 'test-shapes/qwen3-base');
  publish('Qwen/Qwen3-0.6B-Base', 'test-shapes/qwen3-base', {}, qwen3Shards);
  publish('HuggingFaceTB/SmolLM2-135M-Instruct', 'test-shapes/qwen3-base', {}, qwen3Shards);
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
  publish('hubtest/huge-base', 'demo/base', { tie_word_embeddings: true, torch_dtype: 'float16', hidden_size: HUGE_WIDTH });
  writeFileSync(join(root, 'hubtest/huge-base/model.safetensors'), headerOnlySafetensors('transformer.wte.weight', [manifest.lmHead.rows, HUGE_WIDTH]));
  return root;
}

const HUGE_WIDTH = 2 ** 22;

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
