"""Reference data for check_tjs.mjs: Python encoder ids for held-out sentences (STS-B test, never trained on)
and torch last_hidden_state / pooled top-10 ids for a few sentences of both models."""
import argparse, json, os, re
import numpy as np
import torch
import bpe
from model import GPT, pool
from metrics import encode_batch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="models/demo")
    ap.add_argument("--base", required=True)
    ap.add_argument("--embed", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stsb-test", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    "public", "data", "stsb", "sts-test.csv"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    man = json.load(open(os.path.join(a.models, "manifest.json")))
    root = os.path.dirname(os.path.abspath(a.models))
    enc = bpe.Encoder(os.path.join(root, man["embed"]["model"], "tokenizer.json"))
    sents, seen = [], set()
    for line in open(a.stsb_test, encoding="utf-8"):
        for s in line.rstrip("\n").split("\t")[5:7]:
            if s not in seen:
                seen.add(s); sents.append(s)
    # a few harder strings too (unicode, spacing, contractions)
    extra = ["Don't  stop -- it's 3.5km, isn't it?", "Café naïve résumé ½ ², “quotes” — dash", "tabs\tand\nnew lines  ",
             "  leading spaces", "emoji 🙂 and 漢字", "'re 've 'll 's 'd 'm 't"]
    ref = {"texts": sents + extra, "ids": [enc.encode(s) for s in sents + extra]}
    W = np.fromfile(os.path.join(root, man["lmHead"]["file"]), dtype="<f2").reshape(man["lmHead"]["rows"], man["lmHead"]["cols"]).astype(np.float32)
    probe = sents[:3] + [extra[0]]
    ref["probe"] = probe
    for name, ck in [("embed", a.embed), ("base", a.base)]:
        c = torch.load(ck); cfg = c["cfg"]
        m = GPT(cfg["vocab"], cfg["d"], cfg["n_layer"], cfg["n_head"], cfg["n_pos"]); m.load_state_dict(c["state"]); m.eval()
        x, msk, _ = encode_batch(enc, probe)
        with torch.no_grad():
            h = m(x, msk)
        p = pool(h, msk, man[name]["pooling"]).numpy()
        ref[name] = {"hidden": h.numpy().tolist(), "mask": msk.numpy().tolist(),
                     "top10": np.argsort(-(p @ W.T), axis=1, kind="stable")[:, :10].tolist()}
    json.dump(ref, open(a.out, "w"))
    print("wrote", a.out, len(ref["texts"]), "texts")


if __name__ == "__main__":
    main()
