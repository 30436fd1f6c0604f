#!/usr/bin/python3
"""Per-layer reference numbers for the layer view (lens layers / analyze --layers), computed independently.

Shares no code with src/: tokenization is tools/demo_pair/bpe.py's Python BPE encoder, the forward pass is
a numpy interpreter of the shipped ONNX graphs (tools/demo_pair/export.py's run_onnx, not onnxruntime),
reading their per-layer outputs layer_1..layer_L (tools/demo_pair/export_layers.py: ln_f of the residual
stream after each block); pooling, W·h, ranking, Hit@10 / LAR / GAR and each layer's own uncentred SVD,
v_1 and base + v_1·u_1 are written here in numpy (as tools/reference/parity_fixtures.py does for the last layer).

    /usr/bin/python3 tools/reference/layer_parity_fixtures.py [pair_dir] [n_texts]

Writes cli/__fixtures__/layer-parity-<pair>.json: the first n (default 60) unique STS-B test sentences,
each layer's top-10 ids per text for both models (λ = 0), and per layer the three models' Hit@10 / LAR / GAR.
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
n_texts = int(sys.argv[2]) if len(sys.argv) > 2 else 60
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
    if method == "last":
        return hidden[-1]
    if method == "mean":
        return hidden.mean(axis=0)
    w = np.arange(1, len(hidden) + 1, dtype=np.float64)
    return (hidden * (w / w.sum())[:, None]).sum(axis=0)


def layers_of(model_dir, texts, method, template="{text}"):
    """(L, n, d): each layer's pooled state of each text."""
    graph = onnx.load(os.path.join(models_root, model_dir, "onnx", "model.onnx"))
    names = sorted((o.name for o in graph.graph.output if o.name.startswith("layer_")), key=lambda n: int(n[6:]))
    enc = Encoder(os.path.join(models_root, model_dir, "tokenizer.json"))
    out = [[] for _ in names]
    for t in texts:
        ids = enc.encode(template.replace("{text}", t))[: manifest["maxLength"]]
        x = np.array([ids], dtype=np.int64)
        result = run_onnx(graph, {"input_ids": x, "attention_mask": np.ones_like(x)})
        for l, name in enumerate(names):
            out[l].append(pool(np.asarray(result[name], dtype=np.float64)[0], method))
    return np.array(out)


def ranked(z, depth):
    order = np.lexsort((np.arange(len(z)), -z))
    return order[:depth].tolist()


texts = stsb_sentences(os.path.join(ROOT, "public", "data", "stsb", "sts-test.csv"))[:n_texts]
enc = Encoder(os.path.join(models_root, manifest["base"]["model"], "tokenizer.json"))
token_sets = [list(dict.fromkeys(enc.encode(t)[: manifest["maxLength"]])) for t in texts]
EL = layers_of(manifest["embed"]["model"], texts, manifest["embed"]["pooling"], manifest["embed"].get("template", "{text}"))
BL = layers_of(manifest["base"]["model"], texts, manifest["base"]["pooling"])
head = manifest["lmHead"]
dtype = {"float32": "<f4", "float16": "<f2"}[head["dtype"]]
W = np.fromfile(os.path.join(models_root, head["file"]), dtype=dtype).reshape(head["rows"], head["cols"]).astype(np.float64)
W = W[: manifest["vocabSize"]]

result = {"pair": manifest["id"], "texts": texts, "k": K, "layers": []}
for l, (E, B) in enumerate(zip(EL, BL)):
    _, S, Vt = np.linalg.svd(B, full_matrices=False)
    u = Vt[0] if B.mean(axis=0) @ Vt[0] >= 0 else -Vt[0]
    v1 = float((E - B).mean(axis=0) @ u)
    A = B + v1 * u
    layer = {"layer": l + 1, "lambda": v1, "perText": [{} for _ in texts], "metrics": {}}
    for name, H in (("embed", E), ("base", B), ("baseAdjusted", A)):
        hits, lars, found_all, all_t = [], [], set(), set()
        for i, h in enumerate(H):
            T = set(token_sets[i])
            top = ranked(W @ h, max(K, len(T)))
            if name != "baseAdjusted":
                layer["perText"][i][name] = top[:K]
            hits.append(1.0 if set(top[:K]) & T else 0.0)
            found = set(top[: len(T)]) & T
            lars.append(len(found) / len(T))
            found_all |= found
            all_t |= T
        layer["metrics"][name] = {"hit10": float(np.mean(hits)), "lar": float(np.mean(lars)), "gar": len(found_all) / len(all_t)}
    result["layers"].append(layer)

out_dir = os.path.join(ROOT, "cli", "__fixtures__")
os.makedirs(out_dir, exist_ok=True)
path = os.path.join(out_dir, f"layer-parity-{manifest['id']}.json")
json.dump(result, open(path, "w"), indent=1)
for layer in result["layers"]:
    print("layer", layer["layer"], {k: round(m["hit10"], 3) for k, m in layer["metrics"].items()}, "v1", round(layer["lambda"], 3))
print("wrote", os.path.relpath(path, ROOT))
