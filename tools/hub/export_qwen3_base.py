#!/usr/bin/env python3
"""Export Qwen3-0.6B-Base for Embedding Lens: the true base of Qwen3-Embedding-0.6B.

The catalog's `qwen3-0.6b` pair uses the post-trained Qwen3-0.6B as its base (onnx-community/Qwen3-0.6B-ONNX),
because no ONNX export of Qwen/Qwen3-0.6B-Base is published in transformers.js layout. This script makes one.
Run it on a machine WITH internet and the Python packages `torch`, `transformers` (>= 4.51, for Qwen3) and
`onnx` (this project's machines have neither the network nor `transformers`, so it has not been run here):

    python3 tools/hub/export_qwen3_base.py [--out exports/qwen3-0.6b-base] [--fp16]

It writes one folder in transformers.js layout (see docs/models.md, "Adding a model pair"):
    config.json, tokenizer.json, tokenizer_config.json   from Qwen/Qwen3-0.6B-Base (its tokenizer adds no EOS)
    onnx/model.onnx + onnx/model.onnx_data               the body: input_ids, attention_mask, position_ids ->
                                                         last_hidden_state (the final-norm hidden state, HF
                                                         hidden_states[-1]); fp32 weights in external data
                                                         (2.4 GB: more than one protobuf file may hold)
    onnx/model_fp16.onnx + onnx/model_fp16.onnx_data     with --fp16 (1.2 GB), for WebGPU with shader-f16
    model.safetensors                                    copied from the Hub: W is its tied model.embed_tokens.weight
Upload the folder to a Hub repo of yours (e.g. <you>/Qwen3-0.6B-Base-ONNX) and load the pair in the app's
"Two Hub models" form, or by URL / CLI:
    hub:onnx-community/Qwen3-Embedding-0.6B-ONNX;<you>/Qwen3-0.6B-Base-ONNX;last;Instruct: Given a web search query, retrieve relevant passages that answer the query\\nQuery:{text}
    npm run lens -- align --embed onnx-community/Qwen3-Embedding-0.6B-ONNX --base <you>/Qwen3-0.6B-Base-ONNX --pooling last --input texts.txt
(the base's pooling is then `last` too; for the paper's mean-pooled base view, use the catalog entry's form with
`basePooling: 'mean'` in src/shared/catalog.ts). The app finds the external data by itself (no config entry needed).
A q8 variant (model_quantized.onnx, what WASM loads by default) can be made with onnxruntime's
quantize_dynamic(model.onnx, model_quantized.onnx, weight_type=QUInt8), if onnxruntime is installed.
"""
import argparse
import os
import shutil

import torch
from huggingface_hub import hf_hub_download
from transformers import AutoModel, AutoTokenizer

BASE = "Qwen/Qwen3-0.6B-Base"


class Body(torch.nn.Module):
    """input_ids, attention_mask, position_ids -> the final-norm hidden states."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False).last_hidden_state


def export(model, path, sample):
    names = ["input_ids", "attention_mask", "position_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names + ["last_hidden_state"]}
    torch.onnx.export(Body(model), tuple(sample[n] for n in names), path, input_names=names,
                      output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17)
    import onnx  # re-save with every weight in one external data file, as the Hub's exports are laid out
    proto = onnx.load(path)
    onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=os.path.basename(path) + "_data", size_threshold=1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="exports/qwen3-0.6b-base")
    parser.add_argument("--fp16", action="store_true", help="also write model_fp16.onnx (+ _data)")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(BASE)
    tokenizer.save_pretrained(args.out)
    model = AutoModel.from_pretrained(BASE, torch_dtype=torch.float32).eval()
    model.config.save_pretrained(args.out)
    batch = tokenizer(["a short text", "and a somewhat longer one"], padding=True, return_tensors="pt")
    batch["position_ids"] = (batch["attention_mask"].cumsum(-1) - 1).clamp(min=0)
    export(model, os.path.join(args.out, "onnx", "model.onnx"), batch)
    with torch.no_grad():
        expected = Body(model)(batch["input_ids"], batch["attention_mask"], batch["position_ids"])
    try:
        import onnxruntime as ort
        session = ort.InferenceSession(os.path.join(args.out, "onnx", "model.onnx"))
        got = session.run(None, {k: batch[k].numpy() for k in ["input_ids", "attention_mask", "position_ids"]})[0]
        print(f"ONNX vs torch: max abs diff {abs(got - expected.numpy()).max():.2e}")
    except ImportError:
        print("onnxruntime not installed: the export is not checked against torch")
    if args.fp16:
        export(model.half(), os.path.join(args.out, "onnx", "model_fp16.onnx"), batch)
    shutil.copy(hf_hub_download(BASE, "model.safetensors"), os.path.join(args.out, "model.safetensors"))
    print(f"wrote {args.out}: upload it to a Hub repo and load the pair as the docstring says")


if __name__ == "__main__":
    main()
