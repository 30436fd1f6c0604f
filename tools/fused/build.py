#!/usr/bin/python3
"""Builds Qwen3 and SmolLM2 stand-ins as the Hub's real exports are built (fused contrib ops; export.py), checked
against the plain reference in qwen3.py.

    /usr/bin/python3 tools/fused/build.py parity   OUT   # small vocabularies + reference outputs (tools/fused/fused.test.ts)
    /usr/bin/python3 tools/fused/build.py standins OUT   # the catalog's repos with the real vocabularies (tools/hub/testRepos.ts)
    /usr/bin/python3 tools/fused/build.py realsize OUT [--dtypes q8,q4f16]   # Qwen3-0.6B's full shape (bench realsize)

parity: OUT/<model>/onnx/<every dtype's file> and OUT/<model>/reference.json, for qwen3-embed (optimizer style,
  MultiHeadAttention), qwen3-lm (model-builder style, GroupQueryAttention) and smollm2-lm (GQA, no q/k norm), each
  with 320 tokens and 4 layers of width 128 (96 for SmolLM2). reference.json holds, per text and per dtype, what
  qwen3.forward computes with the weights as that dtype stores them: every layer's residual stream, the
  final-norm hidden state and the logits, for each text alone (no padding).
standins: OUT/onnx-community/Qwen3-Embedding-0.6B-ONNX (151,669 rows), OUT/onnx-community/Qwen3-0.6B-ONNX (151,936
  rows), OUT/HuggingFaceTB/SmolLM2-135M-Instruct (the 272-token test tokenizer's rows, padded to 288), each in every
  dtype the real repo ships, plus OUT/qwen3-head.{json,bf16}: the LM's embedding table (bf16) from which the test Hub
  writes Qwen/Qwen3-0.6B's model.safetensors, and OUT/smollm2-head.{json,bf16}: SmolLM2's tied embedding (its W). The embedding E[i] = T[i mod 512] is built in the graph from T, so
  the files stay small with the real vocabulary.
Seeded: reruns give the same files.
"""
import argparse
import base64
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import qwen3  # noqa: E402

DTYPES = tuple(export.FILES)
PARITY_VOCAB = 320
TABLE_ROWS = 512
QWEN3_EMBED_VOCAB, QWEN3_LM_VOCAB, EOS = 151669, 151936, 151643
SMOL_VOCAB = 288  # the 272-token test tokenizer the SmolLM2 stand-in serves (tools/test_pair), padded to 288 rows
# Token ids of the parity texts: three lengths, so a batch of them is padded.
TEXTS = [[5, 17, 42, 99, 3], [250, 7, 7, 64, 128, 300, 11, 2], [31, 200, 9]]


def write_bf16(path, values):
    """bfloat16 words of values that bf16 holds exactly (qwen3.bf16_round), row-major."""
    words = np.ascontiguousarray(values, dtype="<f4").view("<u4") >> 16
    with open(path, "wb") as f:
        f.write(words.astype("<u2").tobytes())


def f32(a) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def reference(shape, w, dtypes):
    out = {}
    for dtype in dtypes:
        stored = qwen3.as_stored(w, dtype)
        per_text = []
        for ids in TEXTS:
            r = qwen3.forward(shape, stored, np.array([ids]), np.ones((1, len(ids)), dtype=np.int64))
            per_text.append({"streams": [f32(x[0]) for x in r["streams"]], "hidden": f32(r["hidden"][0]), "logits": f32(r["logits"][0])})
        out[dtype] = per_text
    return out


def parity(out):
    models = {
        "qwen3-embed": (qwen3.qwen3(PARITY_VOCAB), export.embedder, 11),
        "qwen3-lm": (qwen3.qwen3(PARITY_VOCAB), export.causal_lm, 12),
        "smollm2-lm": (qwen3.smollm2(PARITY_VOCAB), export.causal_lm, 13),
    }
    for name, (shape, write, seed) in models.items():
        folder = os.path.join(out, name)
        w = qwen3.weights(shape, seed)
        for dtype in DTYPES:
            export.save(write(shape, w, dtype), folder, dtype)
        ref = {"shape": shape.__dict__, "texts": TEXTS, "dtypes": reference(shape, w, DTYPES)}
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump(ref, f)
        print("wrote", folder)


def config(shape, architecture, model_type, vocab, **extra):
    return {"architectures": [architecture], "model_type": model_type, "vocab_size": vocab, "hidden_size": shape.hidden,
            "intermediate_size": shape.intermediate, "num_hidden_layers": shape.layers, "num_attention_heads": shape.heads,
            "num_key_value_heads": shape.kv_heads, "head_dim": shape.head_dim, "rms_norm_eps": shape.eps, "rope_theta": shape.rope_theta,
            "max_position_embeddings": 40960, "tie_word_embeddings": True, "torch_dtype": "bfloat16", **extra}


def standins(out):
    embed_shape, lm_shape = qwen3.qwen3(QWEN3_EMBED_VOCAB), qwen3.qwen3(QWEN3_LM_VOCAB)
    lm_w = qwen3.weights(lm_shape, 21, TABLE_ROWS)
    # The embedder is the LM fine-tuned: the same table (the first 151,669 rows), its layers moved a little.
    embed_w = qwen3.weights(embed_shape, 22, TABLE_ROWS)
    embed_w["embed_table"] = lm_w["embed_table"]
    embed_w["model.embed_tokens.weight"] = lm_w["model.embed_tokens.weight"][:QWEN3_EMBED_VOCAB]
    for name, value in lm_w.items():
        if name.startswith("model.layers.") or name == "model.norm.weight":
            embed_w[name] = value + 0.3 * (embed_w[name] - (1 if name.endswith("norm.weight") else 0))
    repos = {
        "onnx-community/Qwen3-Embedding-0.6B-ONNX": (embed_shape, embed_w, export.embedder,
                                                     config(embed_shape, "Qwen3Model", "qwen3", QWEN3_EMBED_VOCAB, eos_token_id=EOS, bos_token_id=EOS)),
        "onnx-community/Qwen3-0.6B-ONNX": (lm_shape, lm_w, export.causal_lm,
                                           config(lm_shape, "Qwen3ForCausalLM", "qwen3", QWEN3_LM_VOCAB, eos_token_id=EOS, bos_token_id=EOS,
                                                  **{"transformers.js_config": {"use_external_data_format": {"model.onnx": 1, "model_fp16.onnx": 1},
                                                                                "kv_cache_dtype": {"fp16": "float16", "q4f16": "float16"}}})),
    }
    for repo, (shape, w, write, cfg) in repos.items():
        folder = os.path.join(out, repo)
        for dtype in DTYPES:
            export.save(write(shape, w, dtype, TABLE_ROWS), folder, dtype)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        print("wrote", folder)
    # SmolLM2-135M-Instruct ships model.onnx, model_fp16.onnx, model_q4.onnx, model_q4f16.onnx, no external data.
    smol_shape = qwen3.smollm2(SMOL_VOCAB)
    smol_w = qwen3.weights(smol_shape, 23, bf16_embedding=True)
    folder = os.path.join(out, "HuggingFaceTB/SmolLM2-135M-Instruct")
    for dtype in ("fp32", "fp16", "q4", "q4f16"):
        path = export.save(export.causal_lm(smol_shape, smol_w, dtype), folder, dtype)
        if dtype in export.EXTERNAL:  # SmolLM2's files are single: fold the weights back in
            import onnx

            model = onnx.load(path)
            os.remove(path + "_data")
            onnx.save_model(model, path)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config(smol_shape, "LlamaForCausalLM", "llama", SMOL_VOCAB, eos_token_id=2, bos_token_id=1,
                         **{"transformers.js_config": {"kv_cache_dtype": {"fp16": "float16", "q4f16": "float16"}}}), f, indent=2)
    write_bf16(os.path.join(out, "smollm2-head.bf16"), smol_w["model.embed_tokens.weight"])
    write_bf16(os.path.join(out, "qwen3-head.bf16"), lm_w["embed_table"])
    with open(os.path.join(out, "smollm2-head.json"), "w") as f:
        json.dump({"rows": SMOL_VOCAB, "cols": smol_shape.hidden}, f)
    with open(os.path.join(out, "qwen3-head.json"), "w") as f:
        json.dump({"rows": QWEN3_LM_VOCAB, "cols": lm_shape.hidden, "table_rows": TABLE_ROWS, "vocab": QWEN3_EMBED_VOCAB, "eos": EOS,
                   "norm": list(lm_w["model.norm.weight"])}, f)
    print("wrote", out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["parity", "standins"])
    parser.add_argument("out")
    args = parser.parse_args()
    {"parity": parity, "standins": standins}[args.what](args.out)
