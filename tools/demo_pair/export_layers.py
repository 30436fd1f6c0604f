"""Re-export a demo body so it also returns every layer's hidden state (no retraining).

    /usr/bin/python3 tools/demo_pair/export_layers.py --ckpt work/ckpt/embed.pt --out models/demo/embed
    /usr/bin/python3 tools/demo_pair/export_layers.py --from-onnx --out models/demo/base

The new onnx/model.onnx keeps `last_hidden_state` (the final-LayerNorm states) and adds `layer_1` ..
`layer_L`: the residual stream after block l passed through the final LayerNorm ln_f (the logit-lens
reading: W·pool(layer_l) is what the LM head would say if the model stopped after block l). layer_L equals
last_hidden_state. With --from-onnx the weights are read back from the body's current ONNX file (torch
named the initializers after the parameters; the Linear weights are the transposed MatMul initializers,
four per block in the order c_attn, c_proj, c_fc, mlp_proj), so a checkpoint is not needed.

Checks, printed and enforced: every output of the new graph against torch (numpy interpreter, as
export.py does), and last_hidden_state of the new graph against the previous file's (must be unchanged).
"""
import argparse, os, shutil, sys, tempfile
import numpy as np
import onnx
from onnx import numpy_helper
import torch
from model import GPT
from export import run_onnx


class AllLayers(torch.nn.Module):
    """GPT.forward, also returning ln_f of the residual stream after each block."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        m = self.m
        B, T = input_ids.shape
        pos = torch.arange(T, device=input_ids.device).unsqueeze(0)
        x = m.wte(input_ids) + m.wpe(pos)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        allowed = causal.view(1, 1, T, T) & (attention_mask.view(B, 1, 1, T) > 0)
        bias = torch.zeros(B, 1, T, T, dtype=x.dtype).masked_fill(~allowed, -1e9)
        layers = []
        for blk in m.h:
            x = blk(x, bias)
            layers.append(m.ln_f(x))
        return (layers[-1], *layers)


def gpt_from_onnx(path):
    """Rebuilds the GPT's parameters from a body exported by export.py."""
    om = onnx.load(path)
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in om.graph.initializer}
    vocab, d = init["m.wte.weight"].shape
    n_pos = init["m.wpe.weight"].shape[0]
    n_layer = 1 + max(int(k.split(".")[2]) for k in init if k.startswith("m.h."))
    # MatMul initializers in graph order: c_attn, c_proj, c_fc, mlp_proj per block (weight = transpose)
    seen, matmuls = set(), []
    for n in om.graph.node:
        if n.op_type == "MatMul" and n.input[1] in init and n.input[1] not in seen:
            seen.add(n.input[1])
            matmuls.append(init[n.input[1]])
    assert len(matmuls) == 4 * n_layer, f"expected {4 * n_layer} weight MatMuls, found {len(matmuls)}"
    state = {k[2:]: v for k, v in init.items() if k.startswith("m.")}
    for layer in range(n_layer):
        for j, name in enumerate(["c_attn", "c_proj", "c_fc", "mlp_proj"]):
            state[f"h.{layer}.{name}.weight"] = matmuls[4 * layer + j].t().contiguous()
    n_head = int(os.environ.get("N_HEAD", "0")) or None
    return state, dict(vocab=vocab, d=d, n_layer=n_layer, n_pos=n_pos), n_head


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", help="a checkpoint of train_lm.py / finetune.py")
    ap.add_argument("--from-onnx", action="store_true", help="read the weights from <out>/onnx/model.onnx")
    ap.add_argument("--n-head", type=int, help="attention heads (from <out>/config.json when omitted)")
    ap.add_argument("--out", required=True, help="the body folder (config.json, onnx/model.onnx)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    path = os.path.join(a.out, "onnx", "model.onnx")
    import json
    cfg = json.load(open(os.path.join(a.out, "config.json")))
    if a.ckpt:
        ck = torch.load(a.ckpt)
        c = ck["cfg"]
        m = GPT(c["vocab"], c["d"], c["n_layer"], c["n_head"], c["n_pos"], dropout=0.0)
        m.load_state_dict(ck["state"])
    elif a.from_onnx:
        state, c, _ = gpt_from_onnx(path)
        m = GPT(c["vocab"], c["d"], c["n_layer"], a.n_head or cfg["n_head"], c["n_pos"], dropout=0.0)
        m.load_state_dict(state)
    else:
        sys.exit("give --ckpt or --from-onnx")
    m.eval()
    L = len(m.h)
    previous = onnx.load(path)
    eot = cfg["eos_token_id"]
    ids = torch.tensor([[5, 300, 41, 77, 1000, 12, 9], [8, 600, 2, eot, eot, eot, eot]], dtype=torch.long)
    mask = torch.tensor([[1] * 7, [1, 1, 1, 0, 0, 0, 0]], dtype=torch.long)
    names = ["last_hidden_state"] + [f"layer_{l}" for l in range(1, L + 1)]
    dyn = {n: {0: "batch_size", 1: "sequence_length"} for n in ["input_ids", "attention_mask", *names]}
    tmp = os.path.join(tempfile.mkdtemp(), "model.onnx")
    torch.onnx.export(AllLayers(m), (ids, mask), tmp, input_names=["input_ids", "attention_mask"], output_names=names,
                      opset_version=14, do_constant_folding=True, dynamic_axes=dyn)
    om = onnx.load(tmp)
    onnx.checker.check_model(om)
    g = torch.Generator().manual_seed(0)
    ids2 = torch.randint(0, cfg["vocab_size"] - 1, (3, 19), generator=g)
    mask2 = torch.ones_like(ids2)
    mask2[1, 11:] = 0; ids2[1, 11:] = eot
    mask2[2, 4:] = 0; ids2[2, 4:] = eot
    feeds = {"input_ids": ids2.numpy(), "attention_mask": mask2.numpy()}
    keep = mask2.numpy().astype(bool)
    with torch.no_grad():
        ref = [t.numpy() for t in AllLayers(m)(ids2, mask2)]
    got = run_onnx(om, feeds)
    worst = max(float(np.abs(r - got[n])[keep].max()) for r, n in zip(ref, names))
    old = run_onnx(previous, feeds)["last_hidden_state"]
    unchanged = float(np.abs(old - got["last_hidden_state"])[keep].max())
    same_last = float(np.abs(got["layer_%d" % L] - got["last_hidden_state"])[keep].max())
    print(f"{a.out}: {L} layers; max abs diff torch vs new graph (numpy), all outputs {worst:.2e}; "
          f"last_hidden_state new vs previous file {unchanged:.2e}; layer_{L} vs last_hidden_state {same_last:.2e}")
    if worst > 1e-4 or unchanged > 1e-4 or same_last > 0:
        sys.exit("check failed: the file is left as it was")
    shutil.move(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
