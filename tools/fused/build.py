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
realsize: the catalog's two Qwen3 repos at Qwen3-0.6B's full shape (28 layers, hidden 1024, 16/8 heads, head_dim 128, MLP
  3072, whole 151,669 / 151,936-row tables) in the given dtypes, plus OUT/qwen3-head.{json,bf16} (W, untiled);
  bench/realsize.ts adds the tokenizers and Qwen/Qwen3-0.6B's safetensors (testRepos.ts publishQwen3Extras).
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
# transformers.js' config in Qwen3-0.6B-ONNX: which files carry external data, and the half-float KV cache.
LM_JS_CONFIG = {"use_external_data_format": {"model.onnx": 1, "model_fp16.onnx": 1}, "kv_cache_dtype": {"fp16": "float16", "q4f16": "float16"}}
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
    embed_w = fine_tuned(lm_w, embed_shape, 22)
    repos = {
        "onnx-community/Qwen3-Embedding-0.6B-ONNX": (embed_shape, embed_w, export.embedder,
                                                     config(embed_shape, "Qwen3Model", "qwen3", QWEN3_EMBED_VOCAB, eos_token_id=EOS, bos_token_id=EOS)),
        "onnx-community/Qwen3-0.6B-ONNX": (lm_shape, lm_w, export.causal_lm,
                                           config(lm_shape, "Qwen3ForCausalLM", "qwen3", QWEN3_LM_VOCAB, eos_token_id=EOS, bos_token_id=EOS,
                                                  **{"transformers.js_config": LM_JS_CONFIG})),
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
    with open(os.path.join(out, "smollm2-head.json"), "w") as f:
        json.dump({"rows": SMOL_VOCAB, "cols": smol_shape.hidden}, f)
    write_head(out, lm_shape, lm_w["embed_table"], lm_w["model.norm.weight"], table_rows=TABLE_ROWS)
    print("wrote", out)


def write_head(out, lm_shape, table, norm, table_rows):
    """qwen3-head.{bf16,json}: the LM's embedding table (its W, tied) and what tools/hub/testRepos.ts publishQwen3 needs to
    write Qwen/Qwen3-0.6B's model.safetensors from it (row i of W is table row i mod table_rows)."""
    write_bf16(os.path.join(out, "qwen3-head.bf16"), table)
    with open(os.path.join(out, "qwen3-head.json"), "w") as f:
        json.dump({"rows": QWEN3_LM_VOCAB, "cols": lm_shape.hidden, "table_rows": table_rows, "vocab": QWEN3_EMBED_VOCAB, "eos": EOS,
                   "norm": [float(x) for x in norm]}, f)


def fine_tuned(lm_w, embed_shape, seed, dtype=np.float64):
    """The embedder as the LM fine-tuned: the same table (its first rows), every layer moved a little."""
    embed_w = qwen3.weights(embed_shape, seed, dtype=dtype, **({"table_rows": TABLE_ROWS} if "embed_table" in lm_w else {}))
    if "embed_table" in lm_w:
        embed_w["embed_table"] = lm_w["embed_table"]
    embed_w["model.embed_tokens.weight"] = lm_w["model.embed_tokens.weight"][: embed_shape.vocab]
    for name, value in lm_w.items():
        if name.startswith("model.layers.") or name == "model.norm.weight":
            embed_w[name] = value + 0.3 * (embed_w[name] - (1 if name.endswith("norm.weight") else 0))
    return embed_w


def realsize(out, dtypes, size):
    """Qwen3-0.6B's full shape (or `size`'s smaller one, for a test) in the catalog's two Qwen3 repos, in `dtypes`:
    the same builder as the stand-ins, with a whole embedding table (no tiling: the bench measures real sizes).
    Weights in float32 (0.6 B parameters per model), built one model at a time."""
    shape = {"hidden": 1024, "layers": 28, "heads": 16, "kv_heads": 8, "head_dim": 128, "intermediate": 3072, "max_positions": 1024, **size}
    embed_shape, lm_shape = qwen3.qwen3(QWEN3_EMBED_VOCAB, **shape), qwen3.qwen3(QWEN3_LM_VOCAB, **shape)
    lm_w = qwen3.weights(lm_shape, 31, bf16_embedding=True, dtype=np.float32)
    embed_w = fine_tuned(lm_w, embed_shape, 32, np.float32)
    repos = {
        "onnx-community/Qwen3-Embedding-0.6B-ONNX": (embed_shape, embed_w, export.embedder,
                                                     config(embed_shape, "Qwen3Model", "qwen3", QWEN3_EMBED_VOCAB, eos_token_id=EOS, bos_token_id=EOS)),
        "onnx-community/Qwen3-0.6B-ONNX": (lm_shape, lm_w, export.causal_lm, config(lm_shape, "Qwen3ForCausalLM", "qwen3", QWEN3_LM_VOCAB, eos_token_id=EOS,
                                                                                     bos_token_id=EOS, **{"transformers.js_config": LM_JS_CONFIG})),
    }
    for repo, (s, w, write, cfg) in repos.items():
        folder = os.path.join(out, repo)
        for dtype in dtypes:
            print(f"{repo}: {dtype}", flush=True)
            export.save(write(s, w, dtype), folder, dtype)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
    write_head(out, lm_shape, lm_w["model.embed_tokens.weight"], lm_w["model.norm.weight"], table_rows=QWEN3_LM_VOCAB)
    print("wrote", out, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["parity", "standins", "realsize"])
    parser.add_argument("out")
    parser.add_argument("--dtypes", default="q8,q4f16", help="realsize: the variants to write")
    parser.add_argument("--size", default="{}", help='realsize: a smaller shape as JSON, e.g. {"layers": 2, "hidden": 64} (tests)')
    args = parser.parse_args()
    if args.what == "realsize":
        realsize(args.out, [d for d in args.dtypes.split(",") if d], json.loads(args.size))
    else:
        {"parity": parity, "standins": standins}[args.what](args.out)
