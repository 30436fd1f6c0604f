#!/usr/bin/env python3
"""Export the paper's own model family for Embedding Lens: SGPT-125M (weighted-mean, NLI, BitFit) with GPT-Neo-125M.

SGPT has no ONNX on the Hub, so this script makes one. Run it on a machine WITH internet and the Python
packages `torch`, `transformers` (>= 4.40) and `onnx` (this project's machines have neither the network nor
`transformers`, so it has not been run here):

    python3 tools/hub/export_sgpt.py [--out models/sgpt-125m]
    npm run lens -- spectrum --pair sgpt-125m --out models/sgpt-125m/spectrum.json   # optional, speeds up loading

It writes, in transformers.js layout (see docs/models.md, "Adding a model pair"):
    models/sgpt-125m/embed/   SGPT body: config.json, tokenizer files, onnx/model.onnx -> last_hidden_state
    models/sgpt-125m/base/    GPT-Neo-125M body, same layout
    models/sgpt-125m/lm_head.f16   GPT-Neo's tied LM head W (50257 x 768, float16, row-major)
    models/sgpt-125m/manifest.json (position-weighted mean pooling, as SGPT; the sample is the demo's)
The catalog's `sgpt-125m` entry (src/runtime/catalog.ts) then loads it: `npm run lens -- align --pair sgpt-125m`,
or pick it in the app. To serve it from the Hub instead, upload embed/ and base/ to two repos of yours, with
GPT-Neo's model.safetensors (from EleutherAI/gpt-neo-125m) in the base repo, and load the custom pair
    hub:<you>/sgpt-125m-onnx;<you>/gpt-neo-125m-onnx;weighted-mean   (W is read from that safetensors by Range)
The tests run this layout on GPT-Neo-shaped random stand-ins (tools/test_pair/make_shaped_pairs.py).
"""
import argparse
import json
import os

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

EMBED = "Muennighoff/SGPT-125M-weightedmean-nli-bitfit"
BASE = "EleutherAI/gpt-neo-125m"


class Body(torch.nn.Module):
    """input_ids, attention_mask -> the final-norm hidden states (HF hidden_states[-1])."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def export(repo, folder):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    model = AutoModel.from_pretrained(repo).eval()
    tokenizer = AutoTokenizer.from_pretrained(repo)
    tokenizer.save_pretrained(folder)  # tokenizer.json + tokenizer_config.json
    model.config.save_pretrained(folder)
    sample = tokenizer(["a short text", "and a somewhat longer one"], padding=True, return_tensors="pt")
    torch.onnx.export(
        Body(model), (sample["input_ids"], sample["attention_mask"]), os.path.join(folder, "onnx", "model.onnx"),
        input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"], opset_version=14,
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "last_hidden_state"]},
    )
    with torch.no_grad():
        expected = Body(model)(sample["input_ids"], sample["attention_mask"]).numpy()
    print(f"exported {repo} -> {folder} (hidden {expected.shape})")
    return model, tokenizer


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models", "sgpt-125m"))
    out = os.path.normpath(parser.parse_args().out)
    _, tokenizer = export(EMBED, os.path.join(out, "embed"))
    base, base_tokenizer = export(BASE, os.path.join(out, "base"))
    if len(tokenizer) != len(base_tokenizer):
        raise SystemExit(f"vocabularies differ: {len(tokenizer)} vs {len(base_tokenizer)}")
    W = base.get_input_embeddings().weight.detach().numpy().astype("<f2")  # GPT-Neo ties its LM head to wte
    W.tofile(os.path.join(out, "lm_head.f16"))
    pair = os.path.basename(out)
    manifest = {
        "id": pair, "name": "SGPT-125M (weighted mean, NLI, BitFit) with GPT-Neo-125M",
        "embed": {"model": f"{pair}/embed", "pooling": "weighted-mean", "template": "{text}"},
        "base": {"model": f"{pair}/base", "pooling": "weighted-mean"},
        "lmHead": {"file": f"{pair}/lm_head.f16", "dtype": "float16", "rows": int(W.shape[0]), "cols": int(W.shape[1])},
        "vocabSize": len(base_tokenizer), "maxLength": 256, "sample": "demo/sample.txt",
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("wrote", out, "W", W.shape, "max |W|", float(np.abs(W).max()))


if __name__ == "__main__":
    main()
