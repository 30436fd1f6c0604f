"""Fine-tune a copy of the base LM into an embedder: InfoNCE with in-batch negatives (SGPT/SimCSE style).

--mode bitfit: only bias terms train (attention/MLP biases and LayerNorm biases, incl. the final
LayerNorm), as in SGPT-125M-weightedmean-nli-bitfit. --mode full: all parameters.
Checkpoint selection: content Hit@10 on STS-B dev sentences held out from all training (and, with
--select-extra, averaged with the same figure on held-out press and question sentences).

Positive pairs (shares of a batch, --mix): STS-B train/dev pairs with score >= 4; WordNet (example,
"lemmas: definition"); SimCSE (the same sentence twice, different dropout); keyword pairs (a sentence, the
same sentence with its stop words and punctuation removed). All are contrastive positives for InfoNCE with
in-batch negatives; nothing looks at the LM head W or at particular token ids.
"""
import argparse, json, math, os, random, re, time
import numpy as np
import torch
import torch.nn.functional as F
import bpe
from model import GPT, pool
from metrics import content_ids, embed, alignment, load_stopwords

EDGE = "\"'()[]{}<>.,;:!?*`-_/|"


def keywords(sentence, stop):
    """The sentence's words without stop words and punctuation (edge punctuation stripped), in order."""
    out = []
    for w in sentence.split():
        core = w.strip(EDGE)
        if core and re.search(r"\w", core) and core.lower() not in stop:
            out.append(core)
    return " ".join(out)


def typed(s):
    """How a query is typed: lower case, no trailing punctuation."""
    return re.sub(r"[\s.?!]+$", "", s.lower())


def keyword_pools(docs, stop, seed, n_extra=200):
    """Sentences for keyword pairs: general (Brown + STS-B train/dev, the SimCSE pool), press (Brown
    categories a-c: reportage, editorial, reviews) and question-form (ending in '?', any corpus source).
    A fixed draw (own seed, independent of the run's) of n_extra press and n_extra question sentences is
    held out of the pools for checkpoint selection."""
    gen, press, ques = set(), set(), set()
    for d in docs:
        for s in d["sents"]:
            if not 3 <= len(s.split()) <= 40:
                continue
            if d["src"] in ("stsb-train-dev", "brown"):
                gen.add(s)
            if d["src"] == "brown" and d.get("cat", "z") in "abc":
                press.add(s)
            if s.endswith("?") and len(s.split()) <= 25:
                ques.add(s)
    r = random.Random(seed)
    extra = r.sample(sorted(press), n_extra) + r.sample(sorted(ques), n_extra)
    held = set(extra)
    pools = []
    for pool_ in (gen, press, ques):
        pools.append([(s, k) for s in sorted(pool_ - held) for k in [keywords(s, stop)]
                      if len(k.split()) >= 2 and k != s])
    return pools, extra


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mode", default="bitfit", choices=["bitfit", "full"])
    ap.add_argument("--pooling", default="weighted-mean")
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--temp", type=float, default=0.05)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--mix", default="0.25,0.25,0.5",
                    help="shares of STS-B pairs, WordNet pairs, SimCSE pairs[, keyword pairs]")
    ap.add_argument("--kw-mix", default="1,0,0", help="keyword pairs: shares from general, press, question sentences")
    ap.add_argument("--kw-typed", type=float, default=0.0,
                    help="probability that a keyword pair is typed as a query (lower case, no trailing punctuation)")
    ap.add_argument("--select-extra", action="store_true",
                    help="select on the mean of STS-B dev and held-out press/question sentences")
    ap.add_argument("--save-all", action="store_true", help="also keep every evaluated checkpoint (out/steps/)")
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this step (0 = run all --steps; the lr schedule still spans --steps)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rnd = random.Random(a.seed)
    enc = bpe.Encoder(os.path.join(a.data, "tokenizer", "tokenizer.json"))
    ck = torch.load(a.base)
    c = ck["cfg"]
    model = GPT(c["vocab"], c["d"], c["n_layer"], c["n_head"], c["n_pos"], dropout=a.dropout)
    model.load_state_dict(ck["state"])
    for n, p in model.named_parameters():
        p.requires_grad = (a.mode == "full") or n.endswith(".bias")
    params = [p for p in model.parameters() if p.requires_grad]
    print(f"trainable {sum(p.numel() for p in params)} of {sum(p.numel() for p in model.parameters())}", flush=True)
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)

    sts = json.load(open(os.path.join(a.data, "stsb_pairs.json")))
    sts_pairs = [(s1, s2) for sc, s1, s2 in sts["train"] + sts["dev"] if sc >= 4.0]
    wn = [json.loads(l) for l in open(os.path.join(a.data, "wordnet_pairs.jsonl"))]
    wn_pairs = [(e, f"{', '.join(p['lemmas'])}: {p['definition']}.") for p in wn for e in p["examples"]]
    docs = [json.loads(l) for l in open(os.path.join(a.data, "corpus.jsonl"))]
    simcse = sorted({s for d in docs if d["src"] in ("stsb-train-dev", "brown") for s in d["sents"]
                     if 3 <= len(s.split()) <= 40})
    print(f"pairs: sts {len(sts_pairs)}, wordnet {len(wn_pairs)}, simcse sentences {len(simcse)}", flush=True)
    mix = [float(x) for x in a.mix.split(",")] + [0.0]
    n_sts, n_wn = int(round(a.batch * mix[0])), int(round(a.batch * mix[1]))
    n_kw = int(round(a.batch * mix[3]))
    n_sim = a.batch - n_sts - n_wn - n_kw
    stop, _ = load_stopwords()
    kw_pools, extra = keyword_pools(docs, stop, seed=4321)
    kw_mix = [float(x) for x in a.kw_mix.split(",")]
    kw_n = [int(round(n_kw * x / sum(kw_mix))) for x in kw_mix]
    kw_n[0] = n_kw - kw_n[1] - kw_n[2]
    if a.select_extra:  # the extra selection sentences stay out of every training pair
        held_extra = set(extra)
        simcse = [s for s in simcse if s not in held_extra]
    print(f"keyword pairs: general {len(kw_pools[0])}, press {len(kw_pools[1])}, question {len(kw_pools[2])}; "
          f"per batch sts {n_sts} wordnet {n_wn} simcse {n_sim} keyword {kw_n}", flush=True)

    select = [l.rstrip("\n") for l in open(os.path.join(a.data, "select_sentences.txt"))]
    freq = json.load(open(os.path.join(a.data, "frequent_tokens.json")))["ids"]
    cmask = content_ids(enc, freq)
    sel_sets = [sorted(set(enc.encode(s)[:64])) for s in select]
    W = model.wte.weight.detach().numpy().astype(np.float64)

    extra_sets = [sorted(set(enc.encode(s)[:64])) for s in extra]

    def evaluate():
        H = embed(model, enc, select, a.pooling)
        r = alignment(H @ W.T, sel_sets, cmask, freq)
        Hx = embed(model, enc, extra, a.pooling)
        rx = alignment(Hx @ W.T, extra_sets, cmask, freq)
        r["extra_content_hit@10"] = rx["content_hit@10"]
        r["score"] = 0.5 * (r["content_hit@10"] + rx["content_hit@10"]) if a.select_extra else r["content_hit@10"]
        model.train()
        return r

    def tok(texts):
        ids = [enc.encode(t)[:64] for t in texts]
        L = max(len(x) for x in ids)
        x = torch.full((len(ids), L), enc.eot, dtype=torch.long)
        m = torch.zeros((len(ids), L), dtype=torch.long)
        for i, r in enumerate(ids):
            x[i, :len(r)] = torch.tensor(r); m[i, :len(r)] = 1
        return x, m

    os.makedirs(a.out, exist_ok=True)
    r0 = evaluate()
    print(f"step 0 select {json.dumps({k: round(v, 3) for k, v in r0.items()})}", flush=True)
    best, hist = -1.0, []
    t0, run = time.time(), []
    model.train()
    last = a.stop_at or a.steps
    for step in range(1, last + 1):
        pa = rnd.sample(sts_pairs, n_sts) + rnd.sample(wn_pairs, n_wn)
        pa = [p if rnd.random() < 0.5 else (p[1], p[0]) for p in pa]
        pa += [(s, s) for s in rnd.sample(simcse, n_sim)]
        for pool_, n in zip(kw_pools, kw_n):
            for p in rnd.sample(pool_, n):
                p = (typed(p[0]), typed(p[1])) if a.kw_typed and rnd.random() < a.kw_typed else p
                pa.append(p if rnd.random() < 0.5 else (p[1], p[0]))
        lr = a.lr * min(1.0, step / 50) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        xa, ma = tok([p[0] for p in pa])
        xb, mb = tok([p[1] for p in pa])
        ea = F.normalize(pool(model(xa, ma), ma, a.pooling), dim=-1)
        eb = F.normalize(pool(model(xb, mb), mb, a.pooling), dim=-1)
        sim = ea @ eb.t() / a.temp
        lab = torch.arange(len(pa))
        loss = 0.5 * (F.cross_entropy(sim, lab) + F.cross_entropy(sim.t(), lab))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        run.append(loss.item())
        if step % a.eval_every == 0 or step == last:
            r = evaluate()
            el = time.time() - t0
            print(f"step {step} loss {np.mean(run):.3f} lr {lr:.1e} {el:.0f}s select "
                  f"{json.dumps({k: round(v, 3) for k, v in r.items()})}", flush=True)
            run = []
            hist.append({"step": step, "seconds": el, **r})
            ck = {"cfg": model.cfg, "state": model.state_dict(), "step": step, "select": r, "seconds": el,
                  "args": vars(a)}
            if a.save_all:
                os.makedirs(os.path.join(a.out, "steps"), exist_ok=True)
                torch.save(ck, os.path.join(a.out, "steps", f"embed_{step}.pt"))
            json.dump(hist, open(os.path.join(a.out, "finetune_history.json"), "w"), indent=1)
            if r["score"] > best:
                best = r["score"]
                torch.save(ck, os.path.join(a.out, "embed.pt"))
    print(f"done {time.time() - t0:.0f}s best selection score {best:.3f}", flush=True)


if __name__ == "__main__":
    main()
