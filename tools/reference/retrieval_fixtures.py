#!/usr/bin/python3
"""Reference numbers for src/core/retrieval, from an independent numpy implementation.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/retrieval_fixtures.py
Writes src/core/retrieval/__fixtures__/reference.json (committed). Seeded, so reruns match.

- ranking metrics as trec_eval computes them: nDCG@10 with linear gain and
  log2(rank + 1) discount, reciprocal rank within 10, recall within 100;
- the sparse retriever: top-K of z per document under each weighting, the
  query's token set plus its top-M aligned tokens, score = sum of document
  weights over the query's tokens.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20250627)
out = {}


def ndcg(ranked, rel, k):
    gains = [rel.get(d, 0) for d in ranked[:k]]
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((r for r in rel.values() if r > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return 0.0 if idcg == 0 else dcg / idcg


def mrr(ranked, rel, k):
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked, rel, k):
    relevant = {d for d, r in rel.items() if r > 0}
    return 0.0 if not relevant else len(relevant & set(ranked[:k])) / len(relevant)


docs = [f"d{i}" for i in range(150)]
queries = []
for q in range(25):
    judged = rng.choice(len(docs), size=int(rng.integers(1, 6)), replace=False)
    rel = {docs[j]: int(rng.integers(0, 4)) for j in judged}
    if q == 0:
        rel = {docs[3]: 0}  # judged, but nothing relevant: not evaluated
    ranked = [docs[j] for j in rng.permutation(len(docs))[: int(rng.integers(0, 130))]]
    # plant relevant documents near the top sometimes
    for d in list(rel)[:2]:
        if rng.random() < 0.6:
            if d in ranked:
                ranked.remove(d)
            ranked.insert(int(rng.integers(0, 15)), d)
    queries.append({"id": f"q{q}", "ranked": ranked, "qrels": rel})
evaluated = [q for q in queries if any(r > 0 for r in q["qrels"].values())]
for q in queries:
    q["expected"] = {"ndcg10": ndcg(q["ranked"], q["qrels"], 10), "mrr10": mrr(q["ranked"], q["qrels"], 10),
                     "recall100": recall(q["ranked"], q["qrels"], 100)}
out["metrics"] = {
    "queries": queries,
    "mean": {m: float(np.mean([q["expected"][m] for q in evaluated])) for m in ("ndcg10", "mrr10", "recall100")},
    "evaluated": len(evaluated),
}

V, N, K, M = 60, 12, 8, 4
Z = rng.standard_normal((N, V)) * 2.0
lse = np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1)) + Z.max(axis=1)


def weigh(z, scheme, lse_row):
    if scheme == "logit":
        return z
    if scheme == "relu":
        return np.maximum(z, 0)
    if scheme == "softmax":
        return np.exp(z - lse_row)
    return np.log1p(np.maximum(z, 0))


sparse = {"V": V, "K": K, "M": M, "z": Z.ravel().tolist(), "logSumExp": lse.tolist(), "schemes": {}}
query_literal = [[5, 9, 9, 17, 42], [1, 2, 3], [59, 0, 30, 31, 32, 33]]
query_z = rng.standard_normal((len(query_literal), V)) * 2.0
sparse["queries"] = [{"literal": lit, "z": qz.tolist()} for lit, qz in zip(query_literal, query_z)]
for scheme in ("logit", "relu", "softmax", "log-relu"):
    vectors = []
    dense_w = np.zeros((N, V))
    for n in range(N):
        top = np.argsort(-Z[n], kind="stable")[:K]
        w = weigh(Z[n, top], scheme, lse[n])
        keep = np.ones(K, bool) if scheme == "logit" else w != 0
        vectors.append({"ids": top[keep].tolist(), "weights": w[keep].tolist()})
        dense_w[n, top[keep]] = w[keep]
    results = []
    for q in sparse["queries"]:
        for m in (0, M):
            terms = list(dict.fromkeys(q["literal"]))
            expansion = np.argsort(-np.array(q["z"]), kind="stable")[:m].tolist()
            terms += [t for t in expansion if t not in terms]
            scores = dense_w[:, terms].sum(axis=1)
            results.append({"m": m, "terms": terms, "scores": scores.tolist()})
    sparse["schemes"][scheme] = {"vectors": vectors, "results": results}
out["sparse"] = sparse

path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "core", "retrieval", "__fixtures__", "reference.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {os.path.normpath(path)}")
