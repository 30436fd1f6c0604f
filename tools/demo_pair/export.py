"""Export a checkpoint to the transformers.js layout and check the ONNX graph against torch.

<out>/config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx (opset 14; inputs input_ids,
attention_mask (int64, dynamic batch and sequence); output last_hidden_state = final-LayerNorm states).
--lm-head FILE also writes the tied LM head W (V x d) as row-major little-endian float16.
The check runs the exported graph with a small numpy ONNX interpreter (onnxruntime is not installed here)
and prints the max abs difference against torch.
"""
import argparse, json, os, shutil
import numpy as np
import onnx
from onnx import numpy_helper
import torch
from model import GPT


class Wrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


def run_onnx(model, feeds):
    """Minimal numpy interpreter for the ops torch emits for this model."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)

    def attr(node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    for n in model.graph.node:
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Constant":
            y = numpy_helper.to_array(attr(n, "value"))
        elif op == "Gather":
            y = np.take(x[0], x[1].astype(np.int64), axis=attr(n, "axis", 0))
        elif op in ("Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater", "And", "Or"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power,
                 "Equal": np.equal, "Less": np.less, "Greater": np.greater, "And": np.logical_and,
                 "Or": np.logical_or}[op]
            y = f(x[0], x[1])
            if op == "Div" and np.issubdtype(x[0].dtype, np.integer):
                y = (x[0] // x[1]).astype(x[0].dtype)
            elif op not in ("Equal", "Less", "Greater", "And", "Or"):
                y = y.astype(x[0].dtype)
        elif op == "MatMul":
            y = np.matmul(x[0], x[1])
        elif op == "Gemm":
            A, B = x[0], x[1]
            if attr(n, "transA", 0): A = A.T
            if attr(n, "transB", 0): B = B.T
            y = attr(n, "alpha", 1.0) * (A @ B) + (attr(n, "beta", 1.0) * x[2] if len(x) > 2 else 0)
        elif op == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == "Unsqueeze":
            y = x[0]
            for ax in sorted(int(v) for v in x[1]):
                y = np.expand_dims(y, ax if ax >= 0 else ax + y.ndim + 1)
        elif op == "Squeeze":
            y = np.squeeze(x[0], axis=tuple(int(v) for v in x[1])) if len(x) > 1 else np.squeeze(x[0])
        elif op == "Concat":
            y = np.concatenate(x, axis=attr(n, "axis"))
        elif op == "Reshape":
            shape = [int(s) for s in x[1]]
            shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            y = x[0].reshape(shape)
        elif op == "Transpose":
            y = np.transpose(x[0], attr(n, "perm"))
        elif op == "Slice":
            starts, ends = x[1], x[2]
            axes = x[3] if len(x) > 3 and x[3] is not None else range(len(starts))
            steps = x[4] if len(x) > 4 and x[4] is not None else [1] * len(starts)
            sl = [slice(None)] * x[0].ndim
            for s, e, ax, st in zip(starts, ends, axes, steps):
                sl[int(ax)] = slice(int(s), int(min(e, 2 ** 62)) if e > -2 ** 62 else None, int(st))
            y = x[0][tuple(sl)]
        elif op == "Split":
            ax = attr(n, "axis", 0)
            sizes = x[1] if len(x) > 1 else attr(n, "split")
            y = np.split(x[0], np.cumsum(sizes)[:-1], axis=ax)
        elif op == "Softmax":
            ax = attr(n, "axis", -1)
            e = np.exp(x[0] - x[0].max(axis=ax, keepdims=True))
            y = e / e.sum(axis=ax, keepdims=True)
        elif op == "ReduceMean":
            y = x[0].mean(axis=tuple(attr(n, "axes")), keepdims=bool(attr(n, "keepdims", 1)))
        elif op == "Sqrt":
            y = np.sqrt(x[0])
        elif op == "Tanh":
            y = np.tanh(x[0])
        elif op == "Erf":
            from math import erf
            y = np.vectorize(erf)(x[0]).astype(x[0].dtype)
        elif op == "Cast":
            to = attr(n, "to")
            y = x[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[to])
        elif op == "Range":
            y = np.arange(x[0], x[1], x[2]).astype(x[0].dtype)
        elif op == "ConstantOfShape":
            v = attr(n, "value")
            v = numpy_helper.to_array(v) if v is not None else np.zeros(1, np.float32)
            y = np.full([int(s) for s in x[0]], v[0], dtype=v.dtype)
        elif op == "Expand":
            y = x[0] * np.ones([int(s) for s in x[1]], dtype=x[0].dtype)
        elif op == "Trilu":
            k = int(x[1]) if len(x) > 1 and x[1] is not None else 0
            y = np.tril(x[0], k) if attr(n, "upper", 1) == 0 else np.triu(x[0], k)
        elif op == "Where":
            y = np.where(x[0], x[1], x[2])
        elif op == "Not":
            y = np.logical_not(x[0])
        elif op == "Neg":
            y = -x[0]
        elif op == "Identity":
            y = x[0]
        else:
            raise NotImplementedError(op)
        if isinstance(y, list):
            for name, v in zip(n.output, y):
                env[name] = v
        else:
            env[n.output[0]] = np.asarray(y)
    return {o.name: env[o.name] for o in model.graph.output}


def export(ckpt_path, out, tokdir, lm_head=None):
    ck = torch.load(ckpt_path)
    c = ck["cfg"]
    m = GPT(c["vocab"], c["d"], c["n_layer"], c["n_head"], c["n_pos"], dropout=0.0)
    m.load_state_dict(ck["state"])
    m.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    tj = json.load(open(os.path.join(tokdir, "tokenizer.json")))
    eot = tj["added_tokens"][0]["id"]
    cfg = {"model_type": "gpt2", "architectures": ["GPT2Model"], "vocab_size": c["vocab"], "n_embd": c["d"],
           "n_layer": c["n_layer"], "n_head": c["n_head"], "n_positions": c["n_pos"], "n_ctx": c["n_pos"],
           "n_inner": 4 * c["d"], "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
           "tie_word_embeddings": True, "use_cache": False, "bos_token_id": eot, "eos_token_id": eot,
           "pad_token_id": eot}
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=1)
    for f in ["tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(os.path.join(tokdir, f), os.path.join(out, f))
    ids = torch.tensor([[5, 300, 41, 77, 1000, 12, 9], [8, 600, 2, eot, eot, eot, eot]], dtype=torch.long)
    mask = torch.tensor([[1] * 7, [1, 1, 1, 0, 0, 0, 0]], dtype=torch.long)
    path = os.path.join(out, "onnx", "model.onnx")
    dyn = {"batch_size": 0, "sequence_length": 1}
    torch.onnx.export(Wrap(m), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state"], opset_version=14, do_constant_folding=True,
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                    "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                    "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})
    om = onnx.load(path)
    onnx.checker.check_model(om)
    # check on a different shape than the trace (dynamic axes), with right padding
    g = torch.Generator().manual_seed(0)
    ids2 = torch.randint(0, c["vocab"] - 1, (3, 19), generator=g)
    mask2 = torch.ones_like(ids2)
    mask2[1, 11:] = 0; ids2[1, 11:] = eot
    mask2[2, 4:] = 0; ids2[2, 4:] = eot
    with torch.no_grad():
        ref = m(ids2, mask2).numpy()
    got = run_onnx(om, {"input_ids": ids2.numpy(), "attention_mask": mask2.numpy()})["last_hidden_state"]
    keep = mask2.numpy().astype(bool)
    diff = float(np.abs(ref - got)[keep].max())
    print(f"{out}: onnx {os.path.getsize(path) / 1e6:.2f} MB, max abs diff torch vs onnx graph (numpy) {diff:.2e}")
    if lm_head:
        W = m.wte.weight.detach().numpy().astype("<f2")
        W.tofile(lm_head)
        print(f"{lm_head}: {W.shape} float16, {os.path.getsize(lm_head) / 1e6:.2f} MB, "
              f"max abs f16 rounding {float(np.abs(W.astype(np.float32) - m.wte.weight.detach().numpy()).max()):.2e}")
    return cfg, diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--lm-head")
    a = ap.parse_args()
    torch.set_num_threads(1)
    export(a.ckpt, a.out, a.tokenizer, a.lm_head)


if __name__ == "__main__":
    main()
