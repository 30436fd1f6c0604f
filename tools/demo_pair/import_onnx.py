"""Read a shipped body (models/demo/<base|embed>/onnx/model.onnx) back into a torch checkpoint.

The recipe's fine-tune starts from the base LM checkpoint; the shipped pair keeps that checkpoint only as
ONNX. The export stores every parameter as float32: biases, LayerNorms and embeddings under their own
names (m.<name>), the four Linear weights of each block as transposed MatMul initializers, in the block
order c_attn, c_proj, c_fc, mlp_proj. So the checkpoint read back is bit-exact; the script checks that by
running the ONNX graph (numpy interpreter of export.py) against torch on a padded batch.
"""
import argparse, json, os
import numpy as np
import onnx
from onnx import numpy_helper
import torch
from model import GPT
from export import run_onnx

LINEARS = ["c_attn", "c_proj", "c_fc", "mlp_proj"]


def read(onnx_path, config_path):
    cfg = json.load(open(config_path))
    c = dict(vocab=cfg["vocab_size"], d=cfg["n_embd"], n_layer=cfg["n_layer"], n_head=cfg["n_head"],
             n_pos=cfg["n_positions"])
    om = onnx.load(onnx_path)
    named = {i.name[2:]: numpy_helper.to_array(i) for i in om.graph.initializer if i.name.startswith("m.")}
    # MatMul weights in graph order (the order the blocks use them)
    inits = {i.name: numpy_helper.to_array(i) for i in om.graph.initializer}
    mats = []
    for n in om.graph.node:
        if n.op_type == "MatMul" and n.input[1] in inits:
            mats.append(inits[n.input[1]])
    if len(mats) != len(LINEARS) * c["n_layer"]:
        raise ValueError(f"{onnx_path}: expected {len(LINEARS) * c['n_layer']} weight MatMuls, found {len(mats)}")
    m = GPT(c["vocab"], c["d"], c["n_layer"], c["n_head"], c["n_pos"], dropout=0.0)
    state = m.state_dict()
    new = {}
    for k in state:
        if k in named:
            new[k] = torch.from_numpy(named[k].copy())
    for li in range(c["n_layer"]):
        for j, lin in enumerate(LINEARS):
            new[f"h.{li}.{lin}.weight"] = torch.from_numpy(mats[li * len(LINEARS) + j].T.copy())
    missing = sorted(set(state) - set(new))
    if missing:
        raise ValueError(f"{onnx_path}: no value for {missing}")
    for k in state:
        if tuple(new[k].shape) != tuple(state[k].shape):
            raise ValueError(f"{onnx_path}: {k} has shape {tuple(new[k].shape)}, model wants {tuple(state[k].shape)}")
    m.load_state_dict(new)
    m.eval()
    # check: the graph and the torch module agree on a padded batch of another shape than the trace
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, c["vocab"] - 1, (3, 23), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    with torch.no_grad():
        ref = m(ids, mask).numpy()
    got = run_onnx(om, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})["last_hidden_state"]
    diff = float(np.abs(ref - got)[mask.numpy().astype(bool)].max())
    if diff > 1e-4:
        raise ValueError(f"{onnx_path}: torch and ONNX differ by {diff:.2e}; the weight order is not the export's")
    return m, c, diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="a body folder: config.json + onnx/model.onnx")
    ap.add_argument("--out", required=True, help="checkpoint file to write (the recipe's {cfg, state} format)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    m, c, diff = read(os.path.join(a.model, "onnx", "model.onnx"), os.path.join(a.model, "config.json"))
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save({"cfg": m.cfg, "state": m.state_dict(), "source": os.path.abspath(a.model)}, a.out)
    print(f"{a.out}: {sum(p.numel() for p in m.parameters())} parameters from {a.model}; "
          f"max abs diff torch vs ONNX graph {diff:.2e}")


if __name__ == "__main__":
    main()
