"""Writes a Qwen3 (or SmolLM2/Llama) decoder from qwen3.py as ONNX the way the Hub's exports are built: fused contrib ops.

Two styles, as docs/hub-facts.md ("The graphs inside") describes the real files:

  model-builder  (onnx-community/Qwen3-0.6B-ONNX, SmolLM2's GQA export): the causal LM. Per layer
      SkipSimplifiedLayerNormalization (input_layernorm; the first layer's is a plain SimplifiedLayerNormalization)
      → q/k/v projections → q_norm/k_norm (SimplifiedLayerNormalization per head) → RotaryEmbedding for q and k
      → GroupQueryAttention (past_key_values.i in, present.i out) → o_proj → SkipSimplifiedLayerNormalization
      (post_attention_layernorm) → SwiGLU MLP. Each skip-norm's outputs are [output_0, "", "", output_3]: output_0
      the normalised activation, output_3 the residual sum. The final norm
      `/model/layers.{L}/final_norm_layernorm/SkipLayerNorm` has only output_0, so the last residual stream is
      never a tensor. No plain residual Add. The LM head `/lm_head/MatMul` reads the tied embedding (transposed).
  optimizer      (onnx-community/Qwen3-Embedding-0.6B-ONNX): the embedder. The same norms (output_3 only where the
      sum had more than one consumer: every one but the final), MultiHeadAttention with the KV heads repeated by
      Tile, a causal + padding attention bias built from attention_mask with Range/Less/Equal/Where, empty
      past_key_values inputs concatenated before the repeat, output last_hidden_state.

Dtypes and their files (FILES): fp32 and fp16 with external data (`<file>_data`), q8 (`model_quantized.onnx`:
DynamicQuantizeLinear → MatMulInteger → Cast → Mul, as onnxruntime's quantize_dynamic writes a MatMul), q4 and
q4f16 (`MatMulNBits`, 4 bits, block 32). fp16 and q4f16 compute in float16 (activations, KV cache, logits /
hidden state); the others in float32. Only the layer projections are quantized, and in q8 the embedding too (uint8
behind Gather → DequantizeLinear, the tied LM head a MatMulInteger on it: the real q8 files are ~0.6 GB, which a
float32 table of 0.62 GB alone would exceed); norms keep the float type.

Names, ops and layout follow the facts there; what those facts leave open (the fp16 embedder's I/O types, the q8
LM head) is chosen here and said in the facts file, so verify:hub's op histograms show the difference at once.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from qwen3 import Q4_BLOCK, Shape, quantize_q4, quantize_q8

FILES = {"fp32": "model.onnx", "fp16": "model_fp16.onnx", "q8": "model_quantized.onnx", "q4": "model_q4.onnx", "q4f16": "model_q4f16.onnx"}
EXTERNAL = ("fp32", "fp16")
MS = "com.microsoft"


class Builder:
    """Nodes and initializers of one graph, with the float type (`self.ft`) the dtype computes in."""

    def __init__(self, dtype: str):
        self.dtype = dtype
        self.half = dtype in ("fp16", "q4f16")
        self.ft = TensorProto.FLOAT16 if self.half else TensorProto.FLOAT
        self.np_ft = np.float16 if self.half else np.float32
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.consts = {}

    def node(self, op, inputs, outputs, name, domain=None, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, domain=domain, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def init(self, name, value):
        self.inits.append(numpy_helper.from_array(np.array(value, order="C"), name))  # (ascontiguousarray would make scalars 1-d)
        return name

    def const(self, value, dtype=np.int64):
        """A shared small constant (shapes, axes, scalars)."""
        arr = np.array(value, dtype=dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if key not in self.consts:
            self.consts[key] = self.init(f"/model/constants/{len(self.consts)}", arr)
        return self.consts[key]

    def weight(self, name, value):
        """A float weight in the graph's float type."""
        return self.init(name, value.astype(self.np_ft))

    def linear(self, x, w, name):
        """x · wᵀ for a weight w [out, in], stored as the dtype stores a projection."""
        out_features, in_features = w.shape
        if self.dtype in ("q4", "q4f16"):
            packed, scales, _ = quantize_q4(w.astype(self.np_ft).astype(np.float64), self.np_ft)
            b = self.init(f"{name}.weight_Q4", packed)
            s = self.init(f"{name}.weight_scales", scales.astype(self.np_ft))
            return self.node("MatMulNBits", [x, b, s], [f"{name}/output_0"], f"{name}/MatMulNBits", MS,
                             K=in_features, N=out_features, bits=4, block_size=Q4_BLOCK, accuracy_level=0)
        if self.dtype == "q8":
            q, scale, zero, _ = quantize_q8(w.T.astype(np.float32))
            wq = self.init(f"{name}.weight_quantized", q)
            ws = self.init(f"{name}.weight_scale", np.array(scale, dtype=np.float32))
            wz = self.init(f"{name}.weight_zero_point", np.array(zero, dtype=np.uint8))
            xq, xs, xz = self.node("DynamicQuantizeLinear", [x], [f"{name}/x_q", f"{name}/x_scale", f"{name}/x_zero"], f"{name}/DynamicQuantizeLinear")
            acc = self.node("MatMulInteger", [xq, wq, xz, wz], [f"{name}/int32"], f"{name}/MatMulInteger")
            acc_f = self.node("Cast", [acc], [f"{name}/int32_float"], f"{name}/Cast", to=TensorProto.FLOAT)
            scale_xw = self.node("Mul", [xs, ws], [f"{name}/scale"], f"{name}/scale_Mul")
            return self.node("Mul", [acc_f, scale_xw], [f"{name}/output_0"], f"{name}/output_Mul")
        wt = self.weight(f"{name}.weight_T", w.T)
        return self.node("MatMul", [x, wt], [f"{name}/output_0"], f"{name}/MatMul")

    def simplified_norm(self, x, weight, name, eps):
        return self.node("SimplifiedLayerNormalization", [x, weight], [f"{name}/output_0"], name, axis=-1, epsilon=eps, stash_type=1)

    def skip_norm(self, branch, stream, weight, name, eps, keep_sum=True):
        """SkipSimplifiedLayerNormalization: (RMSNorm(branch + stream), branch + stream) — the sum only when kept."""
        outputs = [f"{name}/output_0", "", "", f"{name}/output_3"] if keep_sum else [f"{name}/output_0"]
        out = self.node("SkipSimplifiedLayerNormalization", [branch, stream, weight], outputs, name, MS, epsilon=eps)
        return (out[0], out[3]) if keep_sum else (out, None)

    def per_head_norm(self, x, heads, head_dim, weight, name, eps):
        """RMSNorm over each head's head_dim values (Qwen3's q_norm / k_norm)."""
        split = self.node("Reshape", [x, self.const([0, 0, heads, head_dim])], [f"{name}/Reshape/output_0"], f"{name}/Reshape")
        normed = self.simplified_norm(split, weight, f"{name}/SimplifiedLayerNormalization", eps)
        return self.node("Reshape", [normed, self.const([0, 0, heads * head_dim])], [f"{name}/Reshape_1/output_0"], f"{name}/Reshape_1")

    def mlp(self, x, w, p, name):
        gate = self.linear(x, w[p + "mlp.gate_proj.weight"], f"{name}/mlp/gate_proj")
        up = self.linear(x, w[p + "mlp.up_proj.weight"], f"{name}/mlp/up_proj")
        sig = self.node("Sigmoid", [gate], [f"{name}/mlp/act_fn/Sigmoid/output_0"], f"{name}/mlp/act_fn/Sigmoid")
        act = self.node("Mul", [gate, sig], [f"{name}/mlp/act_fn/Mul/output_0"], f"{name}/mlp/act_fn/Mul")
        both = self.node("Mul", [act, up], [f"{name}/mlp/Mul/output_0"], f"{name}/mlp/Mul")
        return self.linear(both, w[p + "mlp.down_proj.weight"], f"{name}/mlp/down_proj")

    def embedding(self, w, table_rows):
        """E[input_ids]; E is an initializer, or built from a repeating table (E[i] = T[i mod rows]) for real vocabularies.

        In q8 the table is stored as quantize_dynamic stores a Gather's: uint8 per tensor, the gathered rows
        dequantized (DequantizeLinear); returns (E as uint8, its scale, its zero point) for the tied LM head then.
        """
        source = w["embed_table"] if table_rows else w["model.embed_tokens.weight"]
        if self.dtype == "q8":
            q, scale, zero, _ = quantize_q8(source.astype(np.float32))
            stored = self.init("model.embed_tokens.weight_quantized" + ("_table" if table_rows else ""), q)
            quantization = [self.init("model.embed_tokens.weight_scale", np.array(scale, dtype=np.float32)),
                            self.init("model.embed_tokens.weight_zero_point", np.array(zero, dtype=np.uint8))]
        else:
            stored = self.weight("model.embed_tokens.table" if table_rows else "model.embed_tokens.weight", source)
            quantization = []
        if table_rows:
            vocab = w["model.embed_tokens.weight"].shape[0]
            rows = self.node("Range", [self.const(0), self.const(vocab), self.const(1)], ["/model/embed_tokens/rows"], "/model/embed_tokens/Range")
            wrapped = self.node("Mod", [rows, self.const(table_rows)], ["/model/embed_tokens/wrapped"], "/model/embed_tokens/Mod")
            name = "model.embed_tokens.weight_quantized" if quantization else "model.embed_tokens.weight"
            stored = self.node("Gather", [stored, wrapped], [name], "/model/embed_tokens/tile_Gather", axis=0)
        x = self.node("Gather", [stored, "input_ids"], ["/model/embed_tokens/Gather/output_0"], "/model/embed_tokens/Gather", axis=0)
        if quantization:
            x = self.node("DequantizeLinear", [x, *quantization], ["/model/embed_tokens/DequantizeLinear/output_0"], "/model/embed_tokens/DequantizeLinear")
            return (stored, *quantization), x
        return stored, x

    def rope_caches(self, s: Shape):
        inv_freq = s.rope_theta ** (-np.arange(0, s.head_dim, 2) / s.head_dim)
        angles = np.arange(s.max_positions)[:, None] * inv_freq[None, :]
        return self.weight("cos_cache", np.cos(angles)), self.weight("sin_cache", np.sin(angles))

    def model(self, name):
        graph = helper.make_graph(self.nodes, name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)], producer_name="embedding-lens fused stand-in")
        model.ir_version = 8
        return model


def io_inputs(b: Builder, s: Shape, past_type):
    b.inputs += [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
                 helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
                 helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"])]
    for i in range(s.layers):
        for kv in ("key", "value"):
            b.inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", past_type, ["batch_size", s.kv_heads, "past_sequence_length", s.head_dim]))


def causal_lm(s: Shape, w: dict, dtype: str, table_rows=None) -> onnx.ModelProto:
    """The model-builder style causal LM: GroupQueryAttention, RotaryEmbedding, fused skip-norms, logits + present.*."""
    b = Builder(dtype)
    io_inputs(b, s, b.ft)
    b.outputs.append(helper.make_tensor_value_info("logits", b.ft, ["batch_size", "sequence_length", s.vocab]))
    embed, x = b.embedding(w, table_rows)
    cos, sin = b.rope_caches(s)
    # GQA's sequence lengths: seqlens_k = (real tokens per row) − 1, total_sequence_length = the mask's width.
    m = "/model/attn_mask_reformat/attn_mask_subgraph"
    summed = b.node("ReduceSum", ["attention_mask", b.const([1])], [f"{m}/ReduceSum/output_0"], f"{m}/ReduceSum", keepdims=0)
    minus1 = b.node("Sub", [summed, b.const(1)], [f"{m}/Sub/output_0"], f"{m}/Sub")
    seqlens_k = b.node("Cast", [minus1], [f"{m}/Sub/Cast/output_0"], f"{m}/Sub/Cast", to=TensorProto.INT32)
    shape = b.node("Shape", ["attention_mask"], [f"{m}/Shape/output_0"], f"{m}/Shape")
    width = b.node("Gather", [shape, b.const(1)], [f"{m}/Gather/output_0"], f"{m}/Gather", axis=0)
    total = b.node("Cast", [width], [f"{m}/Gather/Cast/output_0"], f"{m}/Gather/Cast", to=TensorProto.INT32)
    stream, normed = x, b.simplified_norm(x, b.weight("model.layers.0.input_layernorm.weight", w["model.layers.0.input_layernorm.weight"]),
                                          "/model/layers.0/input_layernorm/LayerNorm", s.eps)
    for i in range(s.layers):
        p, n = f"model.layers.{i}.", f"/model/layers.{i}"
        if i > 0:
            normed, stream = b.skip_norm(branch, stream, b.weight(p + "input_layernorm.weight", w[p + "input_layernorm.weight"]),
                                         f"{n}/input_layernorm/SkipLayerNorm", s.eps)
        q = b.linear(normed, w[p + "self_attn.q_proj.weight"], f"{n}/attn/q_proj")
        k = b.linear(normed, w[p + "self_attn.k_proj.weight"], f"{n}/attn/k_proj")
        v = b.linear(normed, w[p + "self_attn.v_proj.weight"], f"{n}/attn/v_proj")
        if s.qk_norm:
            q = b.per_head_norm(q, s.heads, s.head_dim, b.weight(p + "self_attn.q_norm.weight", w[p + "self_attn.q_norm.weight"]), f"{n}/attn/q_norm", s.eps)
            k = b.per_head_norm(k, s.kv_heads, s.head_dim, b.weight(p + "self_attn.k_norm.weight", w[p + "self_attn.k_norm.weight"]), f"{n}/attn/k_norm", s.eps)
        q = b.node("RotaryEmbedding", [q, "position_ids", cos, sin], [f"{n}/attn/q_rotary/output_0"], f"{n}/attn/q_rotary/RotaryEmbedding", MS,
                   interleaved=0, num_heads=s.heads)
        k = b.node("RotaryEmbedding", [k, "position_ids", cos, sin], [f"{n}/attn/k_rotary/output_0"], f"{n}/attn/k_rotary/RotaryEmbedding", MS,
                   interleaved=0, num_heads=s.kv_heads)
        attn, _, _ = b.node("GroupQueryAttention", [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value", seqlens_k, total],
                            [f"{n}/attn/GroupQueryAttention/output_0", f"present.{i}.key", f"present.{i}.value"], f"{n}/attn/GroupQueryAttention", MS,
                            num_heads=s.heads, kv_num_heads=s.kv_heads, scale=float(1 / np.sqrt(s.head_dim)))
        for kv in ("key", "value"):
            b.outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", b.ft, ["batch_size", s.kv_heads, "total_sequence_length", s.head_dim]))
        o = b.linear(attn, w[p + "self_attn.o_proj.weight"], f"{n}/attn/o_proj")
        normed, stream = b.skip_norm(o, stream, b.weight(p + "post_attention_layernorm.weight", w[p + "post_attention_layernorm.weight"]),
                                     f"{n}/post_attention_layernorm/SkipLayerNorm", s.eps)
        branch = b.mlp(normed, w, p, n)
    h, _ = b.skip_norm(branch, stream, b.weight("model.norm.weight", w["model.norm.weight"]), f"/model/layers.{s.layers}/final_norm_layernorm/SkipLayerNorm",
                       s.eps, keep_sum=False)
    # The LM head on the tied embedding: no second vocabulary matrix in the file. In q8 it reads the same uint8
    # table (MatMulInteger on h quantized at run time): the real q8 file's size leaves no room for another.
    if b.dtype == "q8":
        table, scale, zero = embed
        head_t = b.node("Transpose", [table], ["/lm_head/Transpose/output_0"], "/lm_head/Transpose", perm=[1, 0])
        hq, hs, hz = b.node("DynamicQuantizeLinear", [h], ["/lm_head/h_q", "/lm_head/h_scale", "/lm_head/h_zero"], "/lm_head/DynamicQuantizeLinear")
        acc = b.node("MatMulInteger", [hq, head_t, hz, zero], ["/lm_head/int32"], "/lm_head/MatMulInteger")
        acc_f = b.node("Cast", [acc], ["/lm_head/int32_float"], "/lm_head/Cast", to=TensorProto.FLOAT)
        both = b.node("Mul", [hs, scale], ["/lm_head/scale"], "/lm_head/scale_Mul")
        b.node("Mul", [acc_f, both], ["logits"], "/lm_head/MatMul")
    else:
        head_t = b.node("Transpose", [embed], ["/lm_head/Transpose/output_0"], "/lm_head/Transpose", perm=[1, 0])
        b.node("MatMul", [h, head_t], ["logits"], "/lm_head/MatMul")
    return b.model("main_graph")


def embedder(s: Shape, w: dict, dtype: str, table_rows=None) -> onnx.ModelProto:
    """The optimizer-style embedder: MultiHeadAttention (KV heads repeated by Tile), fused skip-norms, last_hidden_state.

    fp16 and q4f16 compute in float16 behind float32 I/O (inferred: the optimizer's float16 conversion keeps the I/O types)."""
    b = Builder(dtype)
    io_inputs(b, s, TensorProto.FLOAT)
    b.outputs.append(helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", s.hidden]))
    embed, x = b.embedding(w, table_rows)
    cos, sin = b.rope_caches(s)
    # The attention bias [b, 1, s, t]: a large negative where the key is in the future or padded, else 0.
    neg = b.const(np.finfo(b.np_ft).min, b.np_ft)
    zero = b.const(0, b.np_ft)
    ids_shape = b.node("Shape", ["input_ids"], ["/model/Shape/output_0"], "/model/Shape")
    mask_shape = b.node("Shape", ["attention_mask"], ["/model/Shape_1/output_0"], "/model/Shape_1")
    seq = b.node("Gather", [ids_shape, b.const(1)], ["/model/Gather/output_0"], "/model/Gather", axis=0)
    total = b.node("Gather", [mask_shape, b.const(1)], ["/model/Gather_1/output_0"], "/model/Gather_1", axis=0)
    past = b.node("Sub", [total, seq], ["/model/Sub/output_0"], "/model/Sub")
    key_pos = b.node("Range", [b.const(0), total, b.const(1)], ["/model/Range/output_0"], "/model/Range")
    query_pos = b.node("Range", [past, total, b.const(1)], ["/model/Range_1/output_0"], "/model/Range_1")
    query_col = b.node("Unsqueeze", [query_pos, b.const([1])], ["/model/Unsqueeze/output_0"], "/model/Unsqueeze")
    future = b.node("Less", [query_col, key_pos], ["/model/Less/output_0"], "/model/Less")  # [s, t]
    padded = b.node("Equal", ["attention_mask", b.const(0)], ["/model/Equal/output_0"], "/model/Equal")  # [b, t]
    padded4 = b.node("Unsqueeze", [padded, b.const([1, 2])], ["/model/Unsqueeze_1/output_0"], "/model/Unsqueeze_1")  # [b, 1, 1, t]
    pad_bias = b.node("Where", [padded4, neg, zero], ["/model/Where/output_0"], "/model/Where")
    bias = b.node("Where", [future, neg, pad_bias], ["/model/Where_1/output_0"], "/model/Where_1")  # [b, 1, s, t]
    stream, normed = x, b.simplified_norm(x, b.weight("model.layers.0.input_layernorm.weight", w["model.layers.0.input_layernorm.weight"]),
                                          "SimplifiedLayerNormalization_0", s.eps)
    rep = s.kv_group
    for i in range(s.layers):
        p, n = f"model.layers.{i}.", f"/model/layers.{i}"
        if i > 0:
            normed, stream = b.skip_norm(branch, stream, b.weight(p + "input_layernorm.weight", w[p + "input_layernorm.weight"]),
                                         f"SkipSimplifiedLayerNormalization_{2 * i - 1}", s.eps)
        q = b.linear(normed, w[p + "self_attn.q_proj.weight"], f"{n}/self_attn/q_proj")
        k = b.linear(normed, w[p + "self_attn.k_proj.weight"], f"{n}/self_attn/k_proj")
        v = b.linear(normed, w[p + "self_attn.v_proj.weight"], f"{n}/self_attn/v_proj")
        if s.qk_norm:
            q = b.per_head_norm(q, s.heads, s.head_dim, b.weight(p + "self_attn.q_norm.weight", w[p + "self_attn.q_norm.weight"]), f"{n}/self_attn/q_norm", s.eps)
            k = b.per_head_norm(k, s.kv_heads, s.head_dim, b.weight(p + "self_attn.k_norm.weight", w[p + "self_attn.k_norm.weight"]), f"{n}/self_attn/k_norm", s.eps)
        q = b.node("RotaryEmbedding", [q, "position_ids", cos, sin], [f"{n}/self_attn/RotaryEmbedding/output_0"], f"RotaryEmbedding_{2 * i}", MS,
                   interleaved=0, num_heads=s.heads)
        k = b.node("RotaryEmbedding", [k, "position_ids", cos, sin], [f"{n}/self_attn/RotaryEmbedding_1/output_0"], f"RotaryEmbedding_{2 * i + 1}", MS,
                   interleaved=0, num_heads=s.kv_heads)
        heads = []
        for name, t in (("key", k), ("value", v)):
            t4 = b.node("Reshape", [t, b.const([0, 0, s.kv_heads, s.head_dim])], [f"{n}/self_attn/{name}/Reshape/output_0"], f"{n}/self_attn/{name}/Reshape")
            bnsh = b.node("Transpose", [t4], [f"{n}/self_attn/{name}/Transpose/output_0"], f"{n}/self_attn/{name}/Transpose", perm=[0, 2, 1, 3])
            past_in = f"past_key_values.{i}.{name}"
            if b.half:
                past_in = b.node("Cast", [past_in], [f"{n}/self_attn/{name}/past_Cast/output_0"], f"{n}/self_attn/{name}/past_Cast", to=b.ft)
            full = b.node("Concat", [past_in, bnsh], [f"{n}/self_attn/{name}/Concat/output_0"], f"{n}/self_attn/{name}/Concat", axis=2)  # [b, kv, t, d]
            five = b.node("Unsqueeze", [full, b.const([2])], [f"{n}/self_attn/{name}/Unsqueeze/output_0"], f"{n}/self_attn/{name}/Unsqueeze")
            tiled = b.node("Tile", [five, b.const([1, 1, rep, 1, 1])], [f"{n}/self_attn/{name}/Tile/output_0"], f"{n}/self_attn/{name}/Tile")
            merged = b.node("Reshape", [tiled, b.const([0, s.heads, -1, s.head_dim])], [f"{n}/self_attn/{name}/Reshape_1/output_0"], f"{n}/self_attn/{name}/Reshape_1")
            bsnh = b.node("Transpose", [merged], [f"{n}/self_attn/{name}/Transpose_1/output_0"], f"{n}/self_attn/{name}/Transpose_1", perm=[0, 2, 1, 3])
            heads.append(b.node("Reshape", [bsnh, b.const([0, 0, s.heads * s.head_dim])], [f"{n}/self_attn/{name}/Reshape_2/output_0"], f"{n}/self_attn/{name}/Reshape_2"))
        attn = b.node("MultiHeadAttention", [q, heads[0], heads[1], "", "", bias], [f"{n}/self_attn/MultiHeadAttention/output_0"], f"MultiHeadAttention_{i}", MS,
                      num_heads=s.heads, scale=float(1 / np.sqrt(s.head_dim)))
        o = b.linear(attn, w[p + "self_attn.o_proj.weight"], f"{n}/self_attn/o_proj")
        normed, stream = b.skip_norm(o, stream, b.weight(p + "post_attention_layernorm.weight", w[p + "post_attention_layernorm.weight"]),
                                     f"SkipSimplifiedLayerNormalization_{2 * i}", s.eps)
        branch = b.mlp(normed, w, p, n)
    last = "last_hidden_state_half" if b.half else "last_hidden_state"
    out, _ = b.skip_norm(branch, stream, b.weight("model.norm.weight", w["model.norm.weight"]), f"SkipSimplifiedLayerNormalization_{2 * s.layers - 1}", s.eps,
                         keep_sum=False)
    b.nodes[-1].output[0] = last
    if b.half:
        b.node("Cast", [last], ["last_hidden_state"], "/model/norm/Cast", to=TensorProto.FLOAT)
    return b.model("main_graph")


def save(model: onnx.ModelProto, folder: str, dtype: str) -> str:
    """Writes onnx/<file> (fp32 and fp16 with their weights in <file>_data, as the real Qwen3 repos keep them)."""
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    name = FILES[dtype]
    path = os.path.join(folder, "onnx", name)
    for stale in (path, f"{path}_data"):
        if os.path.exists(stale):
            os.remove(stale)
    # No onnx.checker: SimplifiedLayerNormalization is onnxruntime's, in the default domain, unknown to the ONNX spec.
    if dtype in EXTERNAL:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=f"{name}_data", size_threshold=1024)
    else:
        onnx.save_model(model, path)
    return path
