"""Evaluate a base/embedder pair on STS-B test sentences (never trained on): alignment metrics of Nie et al.
(Hit@10, LAR, GAR), content variants, frequent-token share, spectral shift v_1..v_10 and base + v_1 u_1.

Uses the shipped float16 LM head (the same W the app uses)."""
import argparse, json, os, random, re
import numpy as np
import torch
import bpe
from model import GPT
from metrics import content_ids, embed, alignment, load_stopwords, stsb_sentences


def load(ck):
    ck = torch.load(ck)
    c = ck["cfg"]
    m = GPT(c["vocab"], c["d"], c["n_layer"], c["n_head"], c["n_pos"], dropout=0.0)
    m.load_state_dict(ck["state"])
    return m.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="models/demo", help="folder with manifest.json")
    ap.add_argument("--base", required=True)
    ap.add_argument("--embed", required=True)
    ap.add_argument("--stsb-test", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    "public", "data", "stsb", "sts-test.csv"))
    ap.add_argument("--n", type=int, default=0, help="first n unique test sentences (0 = all)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--select", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", "data",
                    "select_sentences.txt"), help="held-out dev sentences to choose a PC1 shift size for the side view")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    man = json.load(open(os.path.join(a.models, "manifest.json")))
    root = os.path.dirname(os.path.abspath(a.models))
    enc = bpe.Encoder(os.path.join(root, man["embed"]["model"], "tokenizer.json"))
    V, d = man["lmHead"]["rows"], man["lmHead"]["cols"]
    W = np.fromfile(os.path.join(root, man["lmHead"]["file"]), dtype="<f2").reshape(V, d).astype(np.float64)
    freq = json.load(open(os.path.join(root, man["frequentTokens"])))["ids"]
    cmask = content_ids(enc, freq)
    sents = stsb_sentences(a.stsb_test)
    if a.n:
        sents = sents[:a.n]
    sets = [sorted(set(enc.encode(s)[:64])) for s in sents]
    base, emb = load(a.base), load(a.embed)
    Hb = embed(base, enc, sents, man["base"]["pooling"])
    He = embed(emb, enc, sents, man["embed"]["pooling"])
    res = {"n_sentences": len(sents)}
    res["base"] = alignment(Hb @ W.T, sets, cmask, freq)
    res["embed"] = alignment(He @ W.T, sets, cmask, freq)
    _, S, Vt = np.linalg.svd(Hb, full_matrices=False)
    v = ((He - Hb).mean(0) @ Vt[:10].T)
    res["v"] = [float(x) for x in v]
    res["singular_values"] = [float(x) for x in S[:10]]
    res["v1_over_max_rest"] = float(abs(v[0]) / np.abs(v[1:]).max())
    res["v1_share_of_squared_shift"] = float(v[0] ** 2 / ((He - Hb).mean(0) ** 2).sum())
    res["base+v1u1"] = alignment((Hb + v[0] * Vt[0]) @ W.T, sets, cmask, freq)
    if a.select and os.path.exists(a.select):
        # side view: the shift size chosen on held-out STS-B dev sentences (no embedder involved)
        sel = [l.rstrip("\n") for l in open(a.select, encoding="utf-8") if l.strip()]
        ssel = [sorted(set(enc.encode(s)[:64])) for s in sel]
        Hs = embed(base, enc, sel, man["base"]["pooling"])
        u = Vt[0]
        scale = S[0] / np.sqrt(len(sents))
        grid = np.linspace(-3, 3, 61) * scale
        scores = [alignment((Hs + lam * u) @ W.T, ssel, cmask, freq)["content_hit@10"] for lam in grid]
        lam = float(grid[int(np.argmax(scores))])
        res["lambda_dev"] = lam
        res["base+lambda_dev_u1"] = alignment((Hb + lam * u) @ W.T, sets, cmask, freq)
    # side view: the same with the trailing " ." / " ?" stripped (the paper's loader strips it for STS)
    strip = [re.sub(r"\s*[.?!]$", "", s) or s for s in sents]
    ssets = [sorted(set(enc.encode(s)[:64])) for s in strip]
    res["embed_stripped"] = alignment(embed(emb, enc, strip, man["embed"]["pooling"]) @ W.T, ssets, cmask, freq)
    res["base_stripped"] = alignment(embed(base, enc, strip, man["base"]["pooling"]) @ W.T, ssets, cmask, freq)
    rnd = random.Random(a.seed)
    ex = []
    for i in sorted(rnd.sample(range(len(sents)), 5)):
        row = {"text": sents[i], "tokens": [enc.token_str(t) for t in enc.encode(sents[i])]}
        for name, h in [("base", Hb[i]), ("embed", He[i]), ("base+v1u1", Hb[i] + v[0] * Vt[0])]:
            top = np.argsort(-(W @ h), kind="stable")[:10]
            row[name] = [enc.token_str(int(t)) for t in top]
        ex.append(row)
    res["examples"] = ex
    res["stopwords"] = load_stopwords()[1]
    json.dump(res, open(a.out, "w"), indent=1, ensure_ascii=False)
    keys = ["hit@10", "lar", "gar", "content_hit@10", "content_lar", "top10_share_frequent50"]
    print("| | " + " | ".join(keys) + " |")
    for name in ["base", "embed", "base+v1u1", "base+lambda_dev_u1", "base_stripped", "embed_stripped"]:
        if name not in res:
            continue
        print(f"| {name} | " + " | ".join(f"{res[name][k]:.3f}" for k in keys) + " |")
    if "lambda_dev" in res:
        print(f"lambda chosen on dev {res['lambda_dev']:.3f} (v1 = {v[0]:.3f})")
    print("v1..v10", " ".join(f"{x:.3f}" for x in v), f"|v1|/max|v_j>1| {res['v1_over_max_rest']:.2f}")
    e, b, s = res["embed"]["content_hit@10"], res["base"]["content_hit@10"], res["base+v1u1"]["content_hit@10"]
    checks = {"embed content hit@10 >= 0.6": e >= 0.6, "embed >= 5x base": e > 0 and e >= 5 * b,
              "embed top-10 share among 50 frequent <= 0.5": res["embed"]["top10_share_frequent50"] <= 0.5,
              "|v1| >= 2 max|v_j|": res["v1_over_max_rest"] >= 2,
              "base+v1u1 >= half embed": s >= 0.5 * e}
    res["targets"] = checks
    json.dump(res, open(a.out, "w"), indent=1, ensure_ascii=False)
    for k, ok in checks.items():
        print(("PASS " if ok else "FAIL ") + k)
    for r in ex:
        print(r["text"]); print("  base :", r["base"]); print("  embed:", r["embed"]); print("  b+v1 :", r["base+v1u1"])


if __name__ == "__main__":
    main()
