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
import onnx

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "demo_pair"))
from bpe import Encoder  # noqa: E402
from export import run_onnx  # noqa: E402

pair_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "demo")
n_texts = int(sys.argv[2]) if len(sys.argv) > 2 else 100
manifest = json.load(open(os.path.join(pair_dir, "manifest.json")))
models_root = os.path.dirname(pair_dir)
K = 10


def stsb_sentences(path):
    seen, out = set(), []
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        cells = line.rstrip("\n").split("\t")
        for s in (cells[5].strip(), cells[6].strip()):
            if s and s not in seen:
                seen.add(s)
                out.append(s)
    return out


def pool(hidden, method):
    """hidden: (T, d) states of the real tokens of one text."""
    if method == "last":
        return hidden[-1]
    if method == "mean":
        return hidden.mean(axis=0)
    w = np.arange(1, len(hidden) + 1, dtype=np.float64)
    return (hidden * (w / w.sum())[:, None]).sum(axis=0)


def embed_all(model_dir, texts, method, template="{text}"):
    graph = onnx.load(os.path.join(models_root, model_dir, "onnx", "model.onnx"))
    enc = Encoder(os.path.join(models_root, model_dir, "tokenizer.json"))
    out = []
    for t in texts:
        ids = enc.encode(template.replace("{text}", t))[: manifest["maxLength"]]
        x = np.array([ids], dtype=np.int64)
        hidden = run_onnx(graph, {"input_ids": x, "attention_mask": np.ones_like(x)})["last_hidden_state"]
        out.append(pool(np.asarray(hidden, dtype=np.float64)[0], method))
    return np.array(out)


def ranked(z, depth):
    order = np.lexsort((np.arange(len(z)), -z))  # score descending, then lower id first
    return order[:depth].tolist()


texts = stsb_sentences(os.path.join(ROOT, "public", "data", "stsb", "sts-test.csv"))[:n_texts]
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
