// Checks the exported demo pair in transformers.js (the app's runtime) against the Python reference:
//   node tools/demo_pair/check_tjs.mjs <ref.json> [modelsRoot]
// 1) tokenizer ids equal the Python encoder's on held-out sentences; 2) last_hidden_state max abs diff vs torch;
// 3) pooled top-10 ids (with the shipped f16 LM head) equal the Python ones.
import fs from 'node:fs';
import path from 'node:path';

const { AutoTokenizer, AutoModel, env } = await import(process.env.TJS || '@huggingface/transformers');
const [refPath, root = path.resolve('models')] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
env.allowLocalModels = true;
env.allowRemoteModels = false;
env.localModelPath = `${root}/`;
const man = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'manifest.json'), 'utf8'));
const tok = await AutoTokenizer.from_pretrained(man.embed.model);
let bad = 0;
ref.texts.forEach((t, i) => {
  const got = tok.encode(t);
  const exp = ref.ids[i];
  if (got.length !== exp.length || got.some((v, k) => v !== exp[k])) {
    if (bad < 5) console.log('MISMATCH', JSON.stringify(t), JSON.stringify(got), JSON.stringify(exp));
    bad++;
  }
});
console.log(`tokenizer: ${ref.texts.length - bad}/${ref.texts.length} texts give identical ids`);
const buf = fs.readFileSync(path.join(root, man.lmHead.file));
const V = man.lmHead.rows,
  d = man.lmHead.cols;
const f16 = new Uint16Array(buf.buffer, buf.byteOffset, V * d);
const f16to32 = (h) => {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  return e === 0 ? s * 2 ** -14 * (f / 1024) : e === 31 ? (f ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + f / 1024);
};
const W = Float32Array.from(f16, f16to32);
let ok = true;
for (const name of ['embed', 'base']) {
  const model = await AutoModel.from_pretrained(man[name].model, { dtype: 'fp32' });
  const inputs = tok(ref.probe, { padding: true, truncation: true });
  const out = await model(inputs);
  const h = out.last_hidden_state;
  const [B, T, D] = h.dims;
  const data = h.data;
  let maxd = 0;
  const exp = ref[name];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      if (!exp.mask[b][t]) continue;
      for (let k = 0; k < D; k++) maxd = Math.max(maxd, Math.abs(data[(b * T + t) * D + k] - exp.hidden[b][t][k]));
    }
  let same = 0;
  for (let b = 0; b < B; b++) {
    const m = exp.mask[b];
    const w = m.map((v, t) => (man[name].pooling === 'weighted-mean' ? v * (t + 1) : v));
    const ws = w.reduce((x, y) => x + y, 0);
    const p = new Float64Array(D);
    for (let t = 0; t < T; t++) for (let k = 0; k < D; k++) p[k] += (w[t] / ws) * data[(b * T + t) * D + k];
    const z = [];
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let k = 0; k < D; k++) s += W[v * D + k] * p[k];
      z.push([s, v]);
    }
    z.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    const top = z.slice(0, 10).map((x) => x[1]);
    if (top.every((v, k) => v === exp.top10[b][k])) same++;
  }
  console.log(`${name}: dims ${h.dims}, max abs diff vs torch ${maxd.toExponential(2)}, identical top-10 ${same}/${B}`);
  if (maxd > 1e-3 || same !== B) ok = false;
}
if (bad || !ok) process.exit(1);
