#!/usr/bin/python3
"""Reference numbers for src/core, from an independent numpy implementation.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/core_fixtures.py
Writes src/core/__fixtures__/reference.json (committed). Seeded, so reruns match.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20240624)
out = {}


def pool(hidden, mask, method):
    real = np.nonzero(mask)[0]
    if method == "last":
        return hidden[real[-1]]
    if method == "mean":
        return hidden[real].mean(axis=0)
    weights = np.arange(1, len(real) + 1, dtype=np.float64)
    weights /= weights.sum()
    return (hidden[real] * weights[:, None]).sum(axis=0)


cases = []
for mask in ([1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], [1, 0, 0, 0, 0, 0]):
    hidden = rng.standard_normal((len(mask), 5)).astype(np.float32)
    m = np.array(mask)
    cases.append({
        "hidden": hidden.ravel().tolist(), "mask": mask, "dim": 5,
        "expected": {p: pool(hidden.astype(np.float64), m, p).tolist() for p in ("last", "mean", "weighted-mean")},
    })
out["pooling"] = cases

V, d = 64, 12
W = rng.standard_normal((V, d)).astype(np.float32)
h = rng.standard_normal(d).astype(np.float32)
W16 = W.astype(np.float16)
bf_bits = (W.view(np.uint32) >> 16).astype(np.uint16)
W_bf = (bf_bits.astype(np.uint32) << 16).view(np.float32)
out["projection"] = {
    "rows": V, "cols": d, "h": h.tolist(),
    "float32": {"data": W.ravel().tolist(), "z": (W.astype(np.float64) @ h).tolist()},
    "float16": {"bits": W16.view(np.uint16).ravel().tolist(), "z": (W16.astype(np.float64) @ h).tolist()},
    "bfloat16": {"bits": bf_bits.ravel().tolist(), "z": (W_bf.astype(np.float64) @ h).tolist()},
}

scores = rng.standard_normal(500)
out["topk"] = {"scores": scores.tolist(), "k": 17, "ids": np.argsort(-scores, kind="stable")[:17].tolist()}

metric_cases = []
for _ in range(12):
    text = sorted(set(rng.integers(0, 40, size=rng.integers(1, 9)).tolist()))
    aligned = rng.permutation(40)[:20].tolist()
    metric_cases.append({"aligned": aligned, "textIds": text})
k = 10
hits = [float(len(set(c["aligned"][:k]) & set(c["textIds"])) > 0) for c in metric_cases]
found = [set(c["aligned"][: len(c["textIds"])]) & set(c["textIds"]) for c in metric_cases]
lars = [len(f) / len(c["textIds"]) for f, c in zip(found, metric_cases)]
union_t = set().union(*[set(c["textIds"]) for c in metric_cases])
union_f = set().union(*found)
out["metrics"] = {"k": k, "cases": metric_cases, "hit": hits, "lar": lars,
                  "meanHit": float(np.mean(hits)), "meanLar": float(np.mean(lars)), "gar": len(union_f) / len(union_t)}

N, dim = 40, 10
direction = rng.standard_normal(dim)
direction /= np.linalg.norm(direction)
H = rng.standard_normal((N, dim)) * 0.5 + 4.0 * direction
shift = -2.5 * direction + rng.standard_normal(dim) * 0.05
E = H + shift + rng.standard_normal((N, dim)) * 0.1
_, s, Vt = np.linalg.svd(H, full_matrices=False)
mean = H.mean(axis=0)
U = np.array([u if mean @ u >= 0 else -u for u in Vt])
v = ((E - H).mean(axis=0) @ U.T)
w = rng.standard_normal(dim)
x = H[0]
out["spectral"] = {
    "base": H.tolist(), "embed": E.tolist(), "n": 5,
    "singularValues": s[:5].tolist(), "vectors": U[:5].tolist(),
    "shares": (s[:5] ** 2 / (H ** 2).sum()).tolist(), "variation": v[:5].tolist(),
    "contribution": {"w": w.tolist(), "h": x.tolist(), "total": float(w @ x),
                     "principal": float((x @ U[0]) * (w @ U[0])), "rest": float(w @ x - (x @ U[0]) * (w @ U[0]))},
}

path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "core", "__fixtures__", "reference.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path))
