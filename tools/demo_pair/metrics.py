"""Alignment metrics of Nie et al. (arXiv 2406.17378) plus the demo's content variants."""
import json, os, re
import numpy as np
import torch
from model import pool

HERE = os.path.dirname(os.path.abspath(__file__))


def stsb_sentences(path):
    """The unique sentences of an STS-B split (columns 6 and 7), whitespace normalised, in file order."""
    sents, seen = [], set()
    for line in open(path, encoding="utf-8"):
        for s in line.rstrip("\n").split("\t")[5:7]:
            s = re.sub(r"\s+", " ", s).strip()
            if s and s not in seen:
                seen.add(s)
                sents.append(s)
    return sents


def load_stopwords():
    for p in [os.path.join(HERE, "..", "..", "src", "core", "data", "stopwords-en.json"),
              os.path.join(HERE, "stopwords-en.json")]:
        if os.path.exists(p):
            return set(json.load(open(p))), os.path.relpath(os.path.abspath(p), os.path.join(HERE, "..", ".."))
    raise FileNotFoundError("stopwords-en.json")


def content_ids(enc, frequent_ids, n_frequent=100):
    """Boolean mask over the vocabulary: tokens that are not punctuation, not stop words and not among the
    corpus's n_frequent most frequent tokens."""
    stop, _ = load_stopwords()
    freq = set(int(i) for i in frequent_ids[:n_frequent])
    V = len(enc.vocab)
    ok = np.zeros(V, dtype=bool)
    for i in range(V):
        if i == enc.eot or i in freq:
            continue
        s = enc.token_str(i).strip().lower()
        if not re.search(r"[0-9a-z]", s) and not re.search(r"\w", s):
            continue  # punctuation / whitespace only
        if s in stop:
            continue
        ok[i] = True
    return ok


def encode_batch(enc, texts, T=64):
    ids = [enc.encode(t)[:T] for t in texts]
    L = max(len(x) for x in ids)
    x = torch.full((len(ids), L), enc.eot, dtype=torch.long)
    m = torch.zeros((len(ids), L), dtype=torch.long)
    for i, r in enumerate(ids):
        x[i, :len(r)] = torch.tensor(r); m[i, :len(r)] = 1
    return x, m, ids


@torch.no_grad()
def embed(model, enc, texts, pooling, bs=128):
    model.eval()
    out = []
    for i in range(0, len(texts), bs):
        x, m, _ = encode_batch(enc, texts[i:i + bs])
        out.append(pool(model(x, m), m, pooling))
    return torch.cat(out).numpy().astype(np.float64)


def alignment(Z, token_sets, content_mask, frequent_ids, K=10):
    """Z: (N, V) logits. token_sets: list of lists of ids. Returns dict of metrics."""
    N = Z.shape[0]
    order = np.argsort(-Z, axis=1, kind="stable")[:, :max(K, 64)]
    top50 = set(int(i) for i in frequent_ids[:50])
    hit, lar, chit, clar, share = [], [], [], [], []
    inter_union, union = set(), set()
    cinter, cunion = set(), set()
    for i in range(N):
        T = set(token_sets[i])
        A = order[i]
        topk = set(int(a) for a in A[:K])
        hit.append(1.0 if topk & T else 0.0)
        aT = set(int(a) for a in A[:len(T)])
        lar.append(len(aT & T) / len(T))
        inter_union |= aT & T; union |= T
        share.append(len(topk & top50) / K)
        C = {t for t in T if content_mask[t]}
        if C:
            chit.append(1.0 if topk & C else 0.0)
            aC = set(int(a) for a in A[:len(C)])
            clar.append(len(aC & C) / len(C))
            cinter |= aC & C; cunion |= C
    return {"hit@10": float(np.mean(hit)), "lar": float(np.mean(lar)), "gar": len(inter_union) / len(union),
            "content_hit@10": float(np.mean(chit)), "content_lar": float(np.mean(clar)),
            "content_gar": len(cinter) / max(1, len(cunion)), "n_content_texts": len(chit),
            "top10_share_frequent50": float(np.mean(share)), "n": N}
