#!/usr/bin/python3
"""An independent implementation of the paper's analysis, for parity with the app's CLI.

It shares no code with src/: tokenization is tools/demo_pair/bpe.py's Python BPE encoder, the forward
pass is a numpy interpreter of the shipped ONNX graphs (tools/demo_pair/export.py's run_onnx, not
onnxruntime), and pooling, W·h, ranking, Hit@10 / LAR / GAR, the uncentred SVD, v_j and the
base + v_1·u_1 adjustment are written here in numpy from the paper's definitions (arXiv 2406.17378 §3-4).

    /usr/bin/python3 tools/reference/parity_fixtures.py [pair_dir] [n_texts]

Writes cli/__fixtures__/parity-<pair>.json: the first n (default 100) unique STS-B test sentences,
each model's top-10 ids per text, the three models' Hit@10 / LAR / GAR, and v_1..v_10.
Runs only on committed files (models/<pair>, public/data), so any clone can regenerate it.
"""
import json
import os
import sys

import numpy as np

from common import ROOT, Encoder, ranked, run_body, stsb_sentences

pair_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "demo")
n_texts = int(sys.argv[2]) if len(sys.argv) > 2 else 100
manifest = json.load(open(os.path.join(pair_dir, "manifest.json")))
models_root = os.path.dirname(pair_dir)
K = 10






def embed_all(model_dir, texts, method, template="{text}"):
    return run_body(models_root, model_dir, texts, manifest["maxLength"], ["last_hidden_state"], method, template)["last_hidden_state"]




texts = stsb_sentences()[:n_texts]
enc = Encoder(os.path.join(models_root, manifest["base"]["model"], "tokenizer.json"))
token_sets = [list(dict.fromkeys(enc.encode(t)[: manifest["maxLength"]])) for t in texts]
E = embed_all(manifest["embed"]["model"], texts, manifest["embed"]["pooling"], manifest["embed"].get("template", "{text}"))
B = embed_all(manifest["base"]["model"], texts, manifest["base"]["pooling"])

head = manifest["lmHead"]
dtype = {"float32": "<f4", "float16": "<f2"}[head["dtype"]]
W = np.fromfile(os.path.join(models_root, head["file"]), dtype=dtype).reshape(head["rows"], head["cols"]).astype(np.float64)
W = W[: manifest["vocabSize"]]

_, S, Vt = np.linalg.svd(B, full_matrices=False)
mean = B.mean(axis=0)
U = np.array([u if mean @ u >= 0 else -u for u in Vt[:20]])
v = (E - B).mean(axis=0) @ U.T
A = B + v[0] * U[0]

result = {"pair": manifest["id"], "texts": texts, "k": K, "perText": [], "metrics": {}, "variation": v[:10].tolist(),
          "lambda": float(v[0])}
for name, H in (("embed", E), ("base", B), ("baseAdjusted", A)):
    hits, lars, found_all, all_t = [], [], set(), set()
    for i, h in enumerate(H):
        T = set(token_sets[i])
        top = ranked(W @ h, max(K, len(T)))
        if len(result["perText"]) <= i:
            result["perText"].append({})
        result["perText"][i][name] = top[:K]
        hits.append(1.0 if set(top[:K]) & T else 0.0)
        found = set(top[: len(T)]) & T
        lars.append(len(found) / len(T))
        found_all |= found
        all_t |= T
    result["metrics"][name] = {"hit10": float(np.mean(hits)), "lar": float(np.mean(lars)), "gar": len(found_all) / len(all_t)}

out_dir = os.path.join(ROOT, "cli", "__fixtures__")
os.makedirs(out_dir, exist_ok=True)
path = os.path.join(out_dir, f"parity-{manifest['id']}.json")
json.dump(result, open(path, "w"), indent=1)
print("wrote", os.path.relpath(path, ROOT), {k: {m: round(x, 4) for m, x in d.items()} for k, d in result["metrics"].items()},
      "v1..v3", np.round(v[:3], 4).tolist())
