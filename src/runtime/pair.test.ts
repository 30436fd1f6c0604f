import { readFileSync } from 'node:fs';
import { AutoModel, AutoTokenizer, PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine } from '../core/spectral';
import { manifestFor } from '../shared/pairId';
import { loadPair } from './loadPair';
import { DEFAULT_MODEL_ROOT, localModelReader } from './node';
import { LensPair, type LoadedPair } from './pair';

const TEXTS = ['A man is playing a guitar.', 'The stock market fell sharply on Monday after the report.'];

/**
 * The demo base model's tokenizer, made to end every text on <|endoftext|> as Qwen3-Embedding's
 * tokenizer does and Qwen3's does not: a pair whose two tokenizers differ.
 */
function tokenizerEndingOnEos(): PreTrainedTokenizer {
  const dir = `${DEFAULT_MODEL_ROOT}/demo/base`;
  const json = JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8'));
  const config = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8'));
  const eos = json.added_tokens.find((t: { content: string }) => t.content === '<|endoftext|>');
  json.post_processor = {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: eos.content, type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: eos.content, type_id: 0 } }],
    special_tokens: { [eos.content]: { id: eos.content, ids: [eos.id], tokens: [eos.content] } },
  };
  return new PreTrainedTokenizer(json, config);
}

describe('LensPair: each body reads with its own tokenizer, in every kind of run', () => {
  let record: LoadedPair;
  let plainTokenizer: PreTrainedTokenizer;
  /** The demo pair as loadPair builds it: its W and sample serve the pairs built here. */
  let demo: LensPair | undefined;

  beforeAll(async () => {
    const read = localModelReader();
    const manifest = await manifestFor('demo', read);
    const loaded = await loadPair(manifest, { device: 'cpu', read });
    demo = loaded;
    const [embed, base] = await Promise.all(['demo/embed', 'demo/base'].map((repo) => AutoModel.from_pretrained(repo, { device: 'cpu', dtype: 'fp32' })));
    plainTokenizer = await AutoTokenizer.from_pretrained('demo/base');
    record = {
      manifest,
      device: 'cpu',
      dtype: 'fp32',
      bodies: { embed: { model: embed, tokenizer: plainTokenizer }, base: { model: base, tokenizer: tokenizerEndingOnEos() } },
      head: loaded.head,
      frequentIds: loaded.frequentIds,
      sample: loaded.sample,
      weightsFrom: 'bytes',
    };
  }, 120_000);

  afterAll(async () => {
    await demo?.dispose();
    await Promise.all([record?.bodies.embed.model.dispose(), record?.bodies.base.model.dispose()]);
  });

  it('the Layers view reads the base model as the explorer does: its deepest row is the base column', async () => {
    const differing = new LensPair(record);
    const encoded = await differing.encode(TEXTS);
    const layers = await differing.encodeLayers(TEXTS);
    expect(layers.reasons).toEqual({});
    const deepest = layers.base.at(-1)!;
    for (const [i, text] of encoded.entries()) {
      expect(cosine(deepest[i], text.base)).toBeGreaterThan(0.99999);
      expect(cosine(layers.embed.at(-1)![i], text.embed)).toBeGreaterThan(0.99999);
    }
  });

  it('and that reading is the base tokenizer’s, not the embedder’s (the EOS changes the pooled state)', async () => {
    const differing = new LensPair(record);
    const same = new LensPair({ ...record, bodies: { ...record.bodies, base: { ...record.bodies.base, tokenizer: plainTokenizer } } });
    const withEos = await differing.runBody('base', TEXTS);
    const plain = await same.runBody('base', TEXTS);
    const layersWithEos = await differing.runLayers('base', TEXTS);
    if ('reason' in layersWithEos) throw new Error(layersWithEos.reason);
    for (const i of TEXTS.keys()) {
      expect(cosine(withEos[i], plain[i])).toBeLessThan(0.9999);
      expect(cosine(layersWithEos.layers.at(-1)![i], withEos[i])).toBeGreaterThan(0.99999);
    }
    // The embedder keeps its own tokenizer whatever the base reads with.
    expect(await differing.runBody('embed', TEXTS)).toEqual(await same.runBody('embed', TEXTS));
  });
});
