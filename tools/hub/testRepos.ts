/**
 * Hub repos the tests build from the shipped pairs, so Hub code paths run on
 * real models without the network:
 *   hubtest/demo-embed, hubtest/demo-base  the demo pair; the base repo carries W as a
 *                                          real safetensors tensor (tied embeddings, f16)
 *   hubtest/tiny-embed                     the random test pair's embedder (272 tokens:
 *                                          paired with demo-base, the vocabularies differ)
 *   hubtest/gated, hubtest/private         repos the server answers 401 / 403 for
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSafetensors } from '../../src/core/safetensors';

const MODELS = resolve(import.meta.dirname, '..', '..', 'models');

export const DENIED = { 'hubtest/gated': 401, 'hubtest/private': 403 } as const;

export function buildTestHub(root = mkdtempSync(join(tmpdir(), 'lens-test-hub-'))): string {
  const publish = (repo: string, from: string, extraConfig: Record<string, unknown> = {}) => {
    const dir = join(root, repo);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) copyFileSync(join(MODELS, from, file), join(dir, file));
    const config = JSON.parse(readFileSync(join(MODELS, from, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...extraConfig }));
  };
  publish('hubtest/demo-embed', 'demo/embed');
  publish('hubtest/demo-base', 'demo/base', { tie_word_embeddings: true, torch_dtype: 'float16' });
  publish('hubtest/tiny-embed', 'test-tiny/embed');
  publish('hubtest/gated', 'test-tiny/embed');
  publish('hubtest/private', 'test-tiny/embed');
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
  return root;
}
