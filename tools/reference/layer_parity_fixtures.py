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

from common import ROOT, Encoder, ranked, run_body, stsb_sentences

pair_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "demo")
n_texts = int(sys.argv[2]) if len(sys.argv) > 2 else 60
manifest = json.load(open(os.path.join(pair_dir, "manifest.json")))
models_root = os.path.dirname(pair_dir)
K = 10






def layers_of(model_dir, texts, method, template="{text}"):
    """(L, n, d): each layer's pooled state of each text."""
    graph = onnx.load(os.path.join(models_root, model_dir, "onnx", "model.onnx"))
    names = sorted((o.name for o in graph.graph.output if o.name.startswith("layer_")), key=lambda n: int(n[6:]))
    pooled = run_body(models_root, model_dir, texts, manifest["maxLength"], names, method, template)
    return np.array([pooled[name] for name in names])




texts = stsb_sentences()[:n_texts]
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
