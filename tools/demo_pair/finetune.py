"""Fine-tune a copy of the base LM into an embedder: InfoNCE with in-batch negatives (SGPT/SimCSE style).

--mode bitfit: only bias terms train (attention/MLP biases and LayerNorm biases, incl. the final
LayerNorm), as in SGPT-125M-weightedmean-nli-bitfit. --mode full: all parameters.
Checkpoint selection: content Hit@10 on STS-B dev sentences held out from all training.
"""
import argparse, json, math, os, random, time
import numpy as np
import torch
import torch.nn.functional as F
import bpe
from model import GPT, pool
from metrics import content_ids, embed, alignment


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
    ap.add_argument("--mix", default="0.25,0.25,0.5", help="shares of STS-B pairs, WordNet pairs, SimCSE pairs")
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
    mix = [float(x) for x in a.mix.split(",")]
    n_sts, n_wn = int(round(a.batch * mix[0])), int(round(a.batch * mix[1]))
    n_sim = a.batch - n_sts - n_wn

    select = [l.rstrip("\n") for l in open(os.path.join(a.data, "select_sentences.txt"))]
    freq = json.load(open(os.path.join(a.data, "frequent_tokens.json")))["ids"]
    cmask = content_ids(enc, freq)
    sel_sets = [sorted(set(enc.encode(s)[:64])) for s in select]
    W = model.wte.weight.detach().numpy().astype(np.float64)

    def evaluate():
        H = embed(model, enc, select, a.pooling)
        r = alignment(H @ W.T, sel_sets, cmask, freq)
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
            if r["content_hit@10"] > best:
                best = r["content_hit@10"]
                torch.save({"cfg": model.cfg, "state": model.state_dict(), "step": step, "select": r,
                            "seconds": el, "args": vars(a)}, os.path.join(a.out, "embed.pt"))
    json.dump(hist, open(os.path.join(a.out, "finetune_history.json"), "w"), indent=1)
    print(f"done {time.time() - t0:.0f}s best select content_hit@10 {best:.3f}", flush=True)


if __name__ == "__main__":
    main()
