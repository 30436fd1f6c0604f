import { makeLmHead } from '../lmHead';
import { alignTop, type RetrievalText } from './engine';

/** Seeded synthetic data for the engine's tests: a random W, random embeddings, texts whose words are token ids. */
export function syntheticCorpus(seed: number, docs = 30, vocab = 80, dim = 12) {
  let state = seed >>> 0;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const head = makeLmHead(Float32Array.from({ length: vocab * dim }, normal), vocab, dim, 'float32');
  const text = (i: number, prefix: string): RetrievalText => {
    const embedding = Float32Array.from({ length: dim }, normal);
    const tokens = Array.from({ length: 3 + Math.floor(random() * 6) }, () => Math.floor(random() * vocab));
    return { id: `${prefix}${i}`, text: tokens.map((t) => `w${t}`).join(' '), tokens, truncated: false, embedding, top: alignTop(head, embedding) };
  };
  return {
    head,
    docs: Array.from({ length: docs }, (_, i) => text(i, 'd')),
    queries: Array.from({ length: 8 }, (_, i) => text(i, 'q')),
  };
}
