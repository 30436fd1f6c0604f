"""What the independent reference scripts share (no code from src/): STS-B sentences, pooling, ranking, and the
pair's bodies run by a numpy interpreter of their ONNX graphs (tools/demo_pair/export.py's run_onnx)."""
import os
import sys

import numpy as np
import onnx

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "demo_pair"))
from bpe import Encoder  # noqa: E402
from export import run_onnx  # noqa: E402


def stsb_sentences(path=os.path.join(ROOT, "public", "data", "stsb", "sts-test.csv")):
    """STS-B's unique sentences in file order (columns 6 and 7)."""
    seen, out = set(), []
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        cells = line.rstrip("\n").split("\t")
        for s in (cells[5].strip(), cells[6].strip()):
            if s and s not in seen:
                seen.add(s)
                out.append(s)
    return out


def pool(hidden, method):
    """hidden: (T, d) states of the real tokens of one text."""
    if method == "last":
        return hidden[-1]
    if method == "mean":
        return hidden.mean(axis=0)
    w = np.arange(1, len(hidden) + 1, dtype=np.float64)
    return (hidden * (w / w.sum())[:, None]).sum(axis=0)


def ranked(z, depth):
    order = np.lexsort((np.arange(len(z)), -z))  # score descending, then lower id first
    return order[:depth].tolist()


def run_body(models_root, model_dir, texts, max_length, outputs, method, template="{text}"):
    """Each named output of a body, pooled per text: {output: (n, d) array}."""
    graph = onnx.load(os.path.join(models_root, model_dir, "onnx", "model.onnx"))
    enc = Encoder(os.path.join(models_root, model_dir, "tokenizer.json"))
    out = {name: [] for name in outputs}
    for t in texts:
        ids = enc.encode(template.replace("{text}", t))[:max_length]
        x = np.array([ids], dtype=np.int64)
        result = run_onnx(graph, {"input_ids": x, "attention_mask": np.ones_like(x)})
        for name in outputs:
            out[name].append(pool(np.asarray(result[name], dtype=np.float64)[0], method))
    return {name: np.array(v) for name, v in out.items()}
