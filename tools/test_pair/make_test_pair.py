#!/usr/bin/python3
"""A tiny random model pair in transformers.js layout, for testing mechanics only.

Random weights: its aligned tokens mean nothing. It exists so the loading,
pooling and projection paths can be tested on a model the tests build, apart
from the trained demo pair. Run with Debian's interpreter:

    /usr/bin/python3 tools/test_pair/make_test_pair.py [out_dir]   # default models/test-tiny

Writes embed/ and base/ (config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx), lm_head.f32 and manifest.json. Seeded: reruns give the same files.
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo_pair"))
from bpe import B2U  # noqa: E402  GPT-2's reversible byte -> character map, shared with the demo pair's BPE

torch.manual_seed(7)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "models", "test-tiny")
D, LAYERS, HEADS, CTX = 32, 2, 2, 32


byte_chars = [B2U[b] for b in range(256)]
vocab = {c: i for i, c in enumerate(byte_chars)}
merges = []
# A few merges so common words become single tokens.
for word in ["the", "an", "in", "on", "is", "at", "he", "er", "re", "es"]:
    a, b = word[0], word[1:]
    merges.append(f"{a} {b}")
    vocab.setdefault(a + b, len(vocab))
for word in ["Ġt", "Ġa", "Ġs", "Ġw", "Ġc"]:
    merges.append(f"{word[0]} {word[1]}")
    vocab.setdefault(word, len(vocab))
EOS = "<|endoftext|>"
vocab[EOS] = len(vocab)
V = len(vocab)

tokenizer = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": [{"id": vocab[EOS], "content": EOS, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True}],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": None,
    "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": merges},
}
tokenizer_config = {"tokenizer_class": "GPT2Tokenizer", "model_max_length": CTX, "bos_token": EOS, "eos_token": EOS,
                    "pad_token": EOS, "unk_token": EOS, "add_prefix_space": False, "clean_up_tokenization_spaces": False}


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(D)
        self.qkv = torch.nn.Linear(D, 3 * D)
        self.proj = torch.nn.Linear(D, D)
        self.ln2 = torch.nn.LayerNorm(D)
        self.up = torch.nn.Linear(D, 4 * D)
        self.down = torch.nn.Linear(4 * D, D)

    def forward(self, x, bias):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        shape = lambda t: t.view(B, T, HEADS, D // HEADS).transpose(1, 2)
        att = torch.softmax(shape(q) @ shape(k).transpose(-2, -1) / math.sqrt(D // HEADS) + bias, dim=-1)
        x = x + self.proj((att @ shape(v)).transpose(1, 2).reshape(B, T, D))
        return x + self.down(torch.nn.functional.gelu(self.up(self.ln2(x))))


class Body(torch.nn.Module):
    """Token + position embeddings, pre-LN blocks, final LayerNorm: returns last_hidden_state."""

    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Embedding(V, D)
        self.wpe = torch.nn.Embedding(CTX, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = torch.nn.LayerNorm(D)

    def forward(self, input_ids, attention_mask):
        T = input_ids.shape[1]
        x = self.wte(input_ids) + self.wpe(torch.arange(T).unsqueeze(0))
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        keep = causal.unsqueeze(0) & attention_mask.bool().unsqueeze(1)
        bias = ((~keep).to(torch.float32) * -1e9).unsqueeze(1)
        for block in self.blocks:
            x = block(x, bias)
        return self.ln_f(x)


def export(model, folder):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    ids = torch.randint(0, V, (2, 7))
    mask = torch.ones(2, 7, dtype=torch.long)
    torch.onnx.export(model, (ids, mask), os.path.join(folder, "onnx", "model.onnx"), opset_version=14,
                      input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                    "last_hidden_state": {0: "batch", 1: "sequence"}})
    config = {"model_type": "gpt2", "architectures": ["GPT2Model"], "vocab_size": V, "n_embd": D, "n_layer": LAYERS,
              "n_head": HEADS, "n_positions": CTX, "bos_token_id": vocab[EOS], "eos_token_id": vocab[EOS]}
    for name, content in (("config.json", config), ("tokenizer.json", tokenizer), ("tokenizer_config.json", tokenizer_config)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False)


base = Body().eval()
embed = Body().eval()
embed.load_state_dict(base.state_dict())
with torch.no_grad():  # the "embedder": the base plus a shift in the final norm's bias
    embed.ln_f.bias.add_(torch.randn(D) * 0.5)
export(base, os.path.join(OUT, "base"))
export(embed, os.path.join(OUT, "embed"))
base.wte.weight.detach().numpy().astype("<f4").tofile(os.path.join(OUT, "lm_head.f32"))
with open(os.path.join(OUT, "sample.txt"), "w") as f:
    f.write("\n".join(["the cat sat on the mat", "a man is playing a guitar", "the sun is hot", "she reads a book at night",
                       "two dogs run in the park", "an apple on the table", "he is eating rice", "rain in the street"]) + "\n")
manifest = {"id": "test-tiny", "name": "Random tiny pair (mechanics only)",
            "embed": {"model": "test-tiny/embed", "pooling": "mean", "template": "{text}"},
            "base": {"model": "test-tiny/base", "pooling": "mean"},
            "lmHead": {"file": "test-tiny/lm_head.f32", "dtype": "float32", "rows": V, "cols": D},
            "vocabSize": V, "maxLength": CTX, "sample": "test-tiny/sample.txt",
            # written by: npm run lens -- spectrum --pair test-tiny --out models/test-tiny/spectrum.json
            "spectrum": "test-tiny/spectrum.json"}
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2)
print("wrote", os.path.normpath(OUT), "V =", V, "d =", D)
