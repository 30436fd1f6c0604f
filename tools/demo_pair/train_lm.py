"""Pre-train the base causal LM on the packed rows (next-token loss, tied head)."""
import argparse, json, math, os, time
import numpy as np
import torch
import torch.nn.functional as F
from model import GPT


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--d", type=int, default=160)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=5)
    ap.add_argument("--steps", type=int, default=4500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--wd", type=float, default=0.1)
    ap.add_argument("--stop-at", type=int, default=0,
                    help="stop after this step (the lr schedule still spans --steps); 0 = run all steps")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    rows = np.load(os.path.join(a.data, "rows.npy")).astype(np.int64)
    lens = np.load(os.path.join(a.data, "lens.npy"))
    V = len(json.load(open(os.path.join(a.data, "tokenizer", "tokenizer.json")))["model"]["vocab"])
    T = rows.shape[1]
    n_val = 256
    val_idx = np.arange(len(rows) - n_val, len(rows))
    order = rng.permutation(len(rows) - n_val)
    model = GPT(V, a.d, a.layers, a.heads, T, dropout=0.0)
    print(f"params {sum(p.numel() for p in model.parameters())}, rows {len(rows)}, steps {a.steps} x {a.batch}",
          flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    os.makedirs(a.out, exist_ok=True)

    def batch(idx):
        x = torch.from_numpy(rows[idx])
        L = torch.from_numpy(lens[idx].astype(np.int64))
        mask = (torch.arange(T).unsqueeze(0) < L.unsqueeze(1)).long()
        return x, mask

    def loss_fn(x, mask):
        h = model(x, mask)
        logits = model.logits(h[:, :-1])
        tgt = x[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
        return F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1), ignore_index=-100)

    def val():
        model.eval()
        with torch.no_grad():
            ls = [loss_fn(*batch(val_idx[i:i + 64])).item() for i in range(0, n_val, 64)]
        model.train()
        return float(np.mean(ls))

    t0, pos, run = time.time(), 0, []
    for step in range(1, a.steps + 1):
        if pos + a.batch > len(order):
            order, pos = rng.permutation(len(rows) - n_val), 0
        idx = order[pos:pos + a.batch]; pos += a.batch
        lr = a.lr * min(1.0, step / a.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / a.steps))))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = loss_fn(*batch(idx))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run.append(loss.item())
        if step % 50 == 0:
            el = time.time() - t0
            print(f"step {step} loss {np.mean(run):.3f} lr {lr:.2e} {el:.0f}s "
                  f"{step * a.batch * T / el:.0f} tok/s", flush=True)
            run = []
        if step % 500 == 0 or step == a.steps:
            vl = val()
            print(f"step {step} val_loss {vl:.3f}", flush=True)
            torch.save({"cfg": model.cfg, "state": model.state_dict(), "step": step, "val_loss": vl,
                        "seconds": time.time() - t0, "tokens": step * a.batch * T},
                       os.path.join(a.out, "base.pt"))
        if a.stop_at and step >= a.stop_at:
            break
    print(f"done {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
