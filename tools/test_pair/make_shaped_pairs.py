#!/usr/bin/python3
"""Tiny random stand-ins for the catalog's Hub pairs, with the real ones' file layout and I/O.

Random weights (aligned tokens mean nothing): they let the tests drive each catalog entry's loading
path through the local test Hub without the real multi-hundred-MB models. Run with Debian's interpreter:

    /usr/bin/python3 tools/test_pair/make_shaped_pairs.py [out_dir]   # default models/test-shapes

Writes, each folder in transformers.js layout (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx):
  qwen3-embed/  Qwen3-Embedding-shaped: model_type qwen3; inputs input_ids, attention_mask, position_ids;
                output last_hidden_state (as onnx-community's feature-extraction export)
  qwen3-base/   Qwen3-Base-shaped causal-LM export that returns only logits (+ the KV cache: inputs
                past_key_values.{i}.key/value, outputs present.*), and its tied W as a *sharded* bf16
                safetensors (`model.embed_tokens.weight`, with padding rows past the tokenizer's vocabulary)
  neo-embed/, neo-base/, lm_head.f16, manifest.json
                exactly what tools/hub/export_sgpt.py writes for SGPT-125M + GPT-Neo-125M (model_type
                gpt_neo, output last_hidden_state, position-weighted mean pooling); neo-base also carries
                GPT-Neo's `transformer.wte.weight` as an f32 model.safetensors, as the real repo does
Seeded: reruns give the same files.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "models", "test-shapes")
TINY = os.path.join(HERE, "..", "..", "models", "test-tiny")  # reuse its byte-level BPE tokenizer
torch.manual_seed(11)
D, LAYERS, HEADS = 32, 2, 2
HEAD_DIM = D // HEADS
tokenizer = json.load(open(os.path.join(TINY, "embed", "tokenizer.json"), encoding="utf-8"))
V = len(tokenizer["model"]["vocab"])       # tokens the tokenizer has
V_PAD = V + 16                               # W rows, as Qwen3's 151,936 rows for 151,669 tokens
EOS = "<|endoftext|>"
EOS_ID = tokenizer["model"]["vocab"][EOS]


class RMSNorm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(1 + 0.1 * torch.randn(D))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n1, self.n2 = RMSNorm(), RMSNorm()
        self.q, self.k, self.v, self.o = (torch.nn.Linear(D, D, bias=False) for _ in range(4))
        self.up, self.down = torch.nn.Linear(D, 2 * D, bias=False), torch.nn.Linear(2 * D, D, bias=False)

    def forward(self, x, bias, past_k, past_v):
        B, T, _ = x.shape
        split = lambda t: t.view(B, T, HEADS, HEAD_DIM).transpose(1, 2)
        h = self.n1(x)
        k = torch.cat([past_k, split(self.k(h))], dim=2)
        v = torch.cat([past_v, split(self.v(h))], dim=2)
        att = torch.softmax(split(self.q(h)) @ k.transpose(-2, -1) / math.sqrt(HEAD_DIM) + bias, dim=-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.down(torch.nn.functional.silu(self.up(self.n2(x)))), k, v


class Qwen3Shaped(torch.nn.Module):
    """RMSNorm decoder with a KV cache; position ids enter as a learned table (shape, not RoPE, is the point)."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits
        self.embed_tokens = torch.nn.Embedding(V_PAD, D)
        self.pos = torch.nn.Embedding(64, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = RMSNorm()

    def forward(self, input_ids, attention_mask, position_ids, *past):
        B, T = input_ids.shape
        P = attention_mask.shape[1] - T
        x = self.embed_tokens(input_ids) + self.pos(position_ids.clamp(min=0))
        query_pos = torch.arange(T).unsqueeze(1) + P
        causal = torch.arange(P + T).unsqueeze(0) <= query_pos
        keep = causal.unsqueeze(0) & attention_mask.bool().unsqueeze(1)
        bias = ((~keep).to(torch.float32) * -1e9).unsqueeze(1)
        present = []
        for i, block in enumerate(self.blocks):
            pk, pv = (past[2 * i], past[2 * i + 1]) if past else (x.new_zeros(B, HEADS, 0, HEAD_DIM),) * 2
            x, k, v = block(x, bias, pk, pv)
            present += [k, v]
        h = self.norm(x)
        if not self.logits:
            return h
        return (h @ self.embed_tokens.weight.t(), *present)  # tied head


def write_tokenizer(folder, tokenizer_class):
    config = {"tokenizer_class": tokenizer_class, "model_max_length": 64, "eos_token": EOS, "pad_token": EOS,
              "bos_token": None, "unk_token": None, "add_prefix_space": False, "clean_up_tokenization_spaces": False}
    json.dump(tokenizer, open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump(config, open(os.path.join(folder, "tokenizer_config.json"), "w"))


def qwen3_config():
    return {"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "vocab_size": V_PAD, "hidden_size": D,
            "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "num_key_value_heads": HEADS,
            "head_dim": HEAD_DIM, "max_position_embeddings": 64, "tie_word_embeddings": True,
            "torch_dtype": "bfloat16", "eos_token_id": EOS_ID}


def export_qwen3(model, folder):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    ids = torch.randint(0, V, (2, 5))
    mask = torch.ones(2, 5, dtype=torch.long)
    pos = torch.arange(5).unsqueeze(0).repeat(2, 1)
    names = ["input_ids", "attention_mask", "position_ids"]
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "sequence"}}
    if model.logits:
        past = [torch.zeros(2, HEADS, 0, HEAD_DIM) for _ in range(2 * LAYERS)]
        past_names = [f"past_key_values.{i}.{kv}" for i in range(LAYERS) for kv in ("key", "value")]
        outputs = ["logits"] + [n.replace("past_key_values", "present") for n in past_names]
        axes.update({n: {0: "batch", 2: "past"} for n in past_names})
        axes.update({n: {0: "batch", 2: "total"} for n in outputs[1:]})
        axes["logits"] = {0: "batch", 1: "sequence"}
        args, names = (ids, mask, pos, *past), names + past_names
    else:
        outputs, args = ["last_hidden_state"], (ids, mask, pos)
        axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    torch.onnx.export(model, args, os.path.join(folder, "onnx", "model.onnx"), opset_version=14,
                      input_names=names, output_names=outputs, dynamic_axes=axes)
    json.dump(qwen3_config(), open(os.path.join(folder, "config.json"), "w"))
    write_tokenizer(folder, "Qwen2Tokenizer")


def bf16_bytes(a):
    """Round-to-nearest-even float32 -> bfloat16, as torch does."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2").tobytes()


def write_safetensors(path, tensors):
    """tensors: name -> (dtype, shape, bytes). The format: u64 header length, JSON header, data."""
    header, offset, blobs = {}, 0, []
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def neo_body():
    """GPT-Neo-shaped body: LayerNorm blocks, learned positions, output last_hidden_state."""
    class Body(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = torch.nn.Embedding(V, D)
            self.wpe = torch.nn.Embedding(64, D)
            self.layer = torch.nn.TransformerEncoderLayer(D, HEADS, 2 * D, dropout=0.0, batch_first=True, norm_first=True)
            self.ln_f = torch.nn.LayerNorm(D)

        def forward(self, input_ids, attention_mask):
            T = input_ids.shape[1]
            x = self.wte(input_ids) + self.wpe(torch.arange(T).unsqueeze(0))
            causal = torch.triu(torch.full((T, T), -1e9), diagonal=1)
            pad = (1 - attention_mask.to(torch.float32)).unsqueeze(1).unsqueeze(1) * -1e9
            mask = (causal.unsqueeze(0).unsqueeze(0) + pad).expand(-1, HEADS, -1, -1).reshape(-1, T, T)
            return self.ln_f(self.layer(x, src_mask=mask))
    return Body


def export_neo(model, folder):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    ids = torch.randint(0, V, (2, 6))
    mask = torch.ones(2, 6, dtype=torch.long)
    torch.onnx.export(model, (ids, mask), os.path.join(folder, "onnx", "model.onnx"), opset_version=14,
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "last_hidden_state"]})
    config = {"model_type": "gpt_neo", "architectures": ["GPTNeoForCausalLM"], "vocab_size": V, "hidden_size": D,
              "num_layers": 1, "num_heads": HEADS, "max_position_embeddings": 64, "eos_token_id": EOS_ID}
    json.dump(config, open(os.path.join(folder, "config.json"), "w"))
    write_tokenizer(folder, "GPT2Tokenizer")


with torch.no_grad():
    # Qwen3 pair: the embedder is the base body plus a shift of its final norm (random, like test-tiny).
    base = Qwen3Shaped(logits=True).eval()
    embed = Qwen3Shaped(logits=False).eval()
    embed.load_state_dict(base.state_dict())
    embed.norm.weight.mul_(1 + 0.3 * torch.randn(D))
    export_qwen3(embed, os.path.join(OUT, "qwen3-embed"))
    export_qwen3(base, os.path.join(OUT, "qwen3-base"))
    W = base.embed_tokens.weight.numpy()
    # Sharded like a real multi-file checkpoint: W in the second shard, the final norm in the first.
    shards = {"model-00001-of-00002.safetensors": {"model.norm.weight": ("BF16", [D], bf16_bytes(base.norm.weight.numpy()))},
              "model-00002-of-00002.safetensors": {"model.embed_tokens.weight": ("BF16", W.shape, bf16_bytes(W))}}
    for name, tensors in shards.items():
        write_safetensors(os.path.join(OUT, "qwen3-base", name), tensors)
    index = {"metadata": {"total_size": sum(len(t[2]) for s in shards.values() for t in s.values())},
             "weight_map": {tensor: name for name, s in shards.items() for tensor in s}}
    json.dump(index, open(os.path.join(OUT, "qwen3-base", "model.safetensors.index.json"), "w"), indent=1)

    # SGPT / GPT-Neo pair, in export_sgpt.py's layout.
    Body = neo_body()
    neo_base = Body().eval()
    neo_embed = Body().eval()
    neo_embed.load_state_dict(neo_base.state_dict())
    neo_embed.ln_f.bias.add_(0.5 * torch.randn(D))
    export_neo(neo_embed, os.path.join(OUT, "neo-embed"))
    export_neo(neo_base, os.path.join(OUT, "neo-base"))
    Wn = neo_base.wte.weight.numpy().astype("<f4")
    Wn.astype("<f2").tofile(os.path.join(OUT, "lm_head.f16"))
    write_safetensors(os.path.join(OUT, "neo-base", "model.safetensors"),
                      {"transformer.wte.weight": ("F32", Wn.shape, Wn.tobytes())})

manifest = {"id": "test-shapes", "name": "GPT-Neo-shaped stand-in for the SGPT export (random)",
            "embed": {"model": "test-shapes/neo-embed", "pooling": "weighted-mean", "template": "{text}"},
            "base": {"model": "test-shapes/neo-base", "pooling": "weighted-mean"},
            "lmHead": {"file": "test-shapes/lm_head.f16", "dtype": "float16", "rows": V, "cols": D},
            "vocabSize": V, "maxLength": 64, "sample": "test-tiny/sample.txt"}
json.dump(manifest, open(os.path.join(OUT, "manifest.json"), "w"), indent=2)
print("wrote", os.path.normpath(OUT), "V =", V, "rows =", V_PAD, "d =", D)
