"""A Qwen3 decoder as a plain reference: its shape, seeded random weights, how each dtype stores them, and a numpy forward pass.

This is the ground truth the fused ONNX exports (export.py) are checked against: every tensor the app reads
(each layer's residual stream, the final-norm hidden state, the logits) comes out of `forward` in float64,
written the way the Qwen3 paper and the Hugging Face implementation describe the model:

    x₀ = E[ids]
    for each layer:  x ← x + o_proj(attention(RoPE(q_norm(q)), RoPE(k_norm(k)), v))   with q, k, v from RMSNorm(x)
                     x ← x + down(silu(gate(RMSNorm(x))) · up(RMSNorm(x)))
    h = RMSNorm(x_L);  logits = h · Eᵀ (tied)

Attention is causal by position in the batch row and never reads a padded key; a token's position id is the
number of real tokens before it (as transformers.js makes position_ids from the attention mask), so left and
right padding give the same result on the real tokens.
"""
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Shape:
    vocab: int  # rows of the embedding (the LM's logits have this many columns)
    hidden: int = 128
    layers: int = 4
    heads: int = 4
    kv_heads: int = 2
    head_dim: int = 32
    intermediate: int = 256
    rope_theta: float = 1e6
    eps: float = 1e-6
    qk_norm: bool = True  # Qwen3 normalises q and k per head; Llama/SmolLM2 do not
    max_positions: int = 256  # rows of the RoPE cos/sin caches

    @property
    def kv_group(self) -> int:
        return self.heads // self.kv_heads


def qwen3(vocab: int, **kw) -> Shape:
    return Shape(vocab=vocab, **kw)


def smollm2(vocab: int, **kw) -> Shape:
    """SmolLM2-135M's family (Llama): no q/k norm, RoPE θ 1e5, ε 1e-5; 9 heads over 3 KV heads there, 3 over 1 here."""
    return replace(Shape(vocab=vocab, hidden=96, heads=3, kv_heads=1, head_dim=32, intermediate=192, rope_theta=1e5, eps=1e-5, qk_norm=False), **kw)


def weights(shape: Shape, seed: int, table_rows: int | None = None, bf16_embedding: bool = False, dtype=np.float64) -> dict:
    """Random weights under Hugging Face's names, N(0, 0.02²) for projections and norm scales near 1.

    With `bf16_embedding`, the embedding holds bfloat16 values. With `table_rows`, the embedding's rows repeat a table of that many rows (E[i] = T[i mod table_rows]):
    the graph then builds E from T, so a stand-in with the real vocabulary stays a few hundred kB. `dtype` float32 halves
    the memory of a full-size model (build.py realsize: 0.6 B parameters), with other values than float64's stream.
    """
    rng = np.random.default_rng(seed)
    s = shape
    randn = lambda *dims: rng.standard_normal(dims, dtype=dtype)
    w = {}
    if table_rows:
        # bfloat16 values: the stand-in Hub's Qwen/Qwen3-0.6B safetensors stores this table as bf16, exactly.
        w["embed_table"] = bf16_round(randn(table_rows, s.hidden) * 0.5)
        w["model.embed_tokens.weight"] = w["embed_table"][np.arange(s.vocab) % table_rows]
    else:
        w["model.embed_tokens.weight"] = randn(s.vocab, s.hidden) * 0.5
        if bf16_embedding:  # as a bf16 checkpoint's tied W holds it, so W·h equals the export's logits
            w["model.embed_tokens.weight"] = bf16_round(w["model.embed_tokens.weight"])
    norm = lambda n: 1 + 0.1 * randn(n)
    projection = lambda rows, cols: randn(rows, cols) * 0.02 * 4
    for i in range(s.layers):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm(s.hidden)
        w[p + "self_attn.q_proj.weight"] = projection(s.heads * s.head_dim, s.hidden)
        w[p + "self_attn.k_proj.weight"] = projection(s.kv_heads * s.head_dim, s.hidden)
        w[p + "self_attn.v_proj.weight"] = projection(s.kv_heads * s.head_dim, s.hidden)
        w[p + "self_attn.o_proj.weight"] = projection(s.hidden, s.heads * s.head_dim)
        if s.qk_norm:
            w[p + "self_attn.q_norm.weight"] = norm(s.head_dim)
            w[p + "self_attn.k_norm.weight"] = norm(s.head_dim)
        w[p + "post_attention_layernorm.weight"] = norm(s.hidden)
        w[p + "mlp.gate_proj.weight"] = projection(s.intermediate, s.hidden)
        w[p + "mlp.up_proj.weight"] = projection(s.intermediate, s.hidden)
        w[p + "mlp.down_proj.weight"] = projection(s.hidden, s.intermediate)
    w["model.norm.weight"] = norm(s.hidden)
    return w


def bf16_round(a: np.ndarray) -> np.ndarray:
    """The values of `a` rounded to bfloat16 (nearest even), in `a`'s float type."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    return (((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16).astype("<u4").view("<f4").astype(a.dtype)


PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
Q4_BLOCK = 32


def is_projection(name: str) -> bool:
    return name.endswith("_proj.weight")


def quantize_q4(w: np.ndarray, scale_dtype=np.float32):
    """MatMulNBits' symmetric 4-bit layout for a weight [N, K]: levels q ∈ 0..15 with zero point 8, one scale per
    block of 32 along K, stored as `scale_dtype`. Returns (packed uint8 [N, K/32, 16], scales [N · K/32], the
    dequantized weight, exactly as the kernel sees it)."""
    n, k = w.shape
    blocks = w.reshape(n, k // Q4_BLOCK, Q4_BLOCK)
    scale = np.abs(blocks).max(axis=2) / 7
    scale[scale == 0] = 1
    scale = scale.astype(scale_dtype).astype(np.float64)
    q = np.clip(np.round(blocks / scale[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)  # element 2j in the low nibble, 2j+1 in the high
    return packed, scale.reshape(-1).astype(scale_dtype), ((q.astype(np.float64) - 8) * scale[..., None]).reshape(n, k)


def quantize_q8(w: np.ndarray):
    """quantize_dynamic's uint8 weights (per tensor, asymmetric, zero a level): (q, scale, zero point, dequantized)."""
    lo, hi = min(float(w.min()), 0.0), max(float(w.max()), 0.0)
    scale = (hi - lo) / 255 or 1.0
    zero = int(round(-lo / scale))
    q = np.clip(np.round(w / scale) + zero, 0, 255).astype(np.uint8)
    return q, scale, zero, (q.astype(np.float64) - zero) * scale


def as_stored(w: dict, dtype: str) -> dict:
    """The weights as a `dtype` export computes with them: fp16 rounds everything to half precision; q4/q4f16
    dequantize the layer projections from 4 bits (and round the rest to half in q4f16); q8 the projections and the
    embedding from 8 bits."""
    out = {}
    for name, value in w.items():
        v = value
        if is_projection(name) and dtype in ("q4", "q4f16"):
            half = dtype == "q4f16"
            v = quantize_q4(v.astype(np.float16 if half else np.float32).astype(np.float64), np.float16 if half else np.float32)[2]
        elif (is_projection(name) or name in ("model.embed_tokens.weight", "embed_table")) and dtype == "q8":
            v = quantize_q8(v.astype(np.float32))[3]  # the table: one scale for the whole (tiled or not: the same values)
        if dtype in ("fp16", "q4f16"):
            v = v.astype(np.float16)
        out[name] = v.astype(np.float64)
    return out


def rms_norm(x, weight, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * weight


def rope_tables(shape: Shape):
    """cos and sin for each position and frequency [max_positions, head_dim / 2] (θ^(−2i/d), Hugging Face's rotate-half form)."""
    inv_freq = shape.rope_theta ** (-np.arange(0, shape.head_dim, 2) / shape.head_dim)
    angles = np.arange(shape.max_positions)[:, None] * inv_freq[None, :]
    return np.cos(angles), np.sin(angles)


def rope(x, positions, cos, sin):
    """x [b, s, heads, d] rotated by position: (x₁, x₂) ↦ (x₁cos − x₂sin, x₂cos + x₁sin) on the two halves."""
    c, s_ = cos[positions][:, :, None, :], sin[positions][:, :, None, :]
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * c - x2 * s_, x2 * c + x1 * s_], axis=-1)


def position_ids(mask):
    """transformers.js' rule: the count of real tokens before each one; padded positions read 1."""
    p = np.cumsum(mask, axis=1) - 1
    return np.where(mask == 0, 1, p)


def forward(shape: Shape, w: dict, ids: np.ndarray, mask: np.ndarray) -> dict:
    """Every residual stream x₁..x_L, the final-norm hidden state h and the logits, in float64."""
    s = shape
    b, n = ids.shape
    x = w["model.embed_tokens.weight"][ids]
    pos = position_ids(mask)
    cos, sin = rope_tables(s)
    allowed = np.tril(np.ones((n, n), dtype=bool))[None, :, :] & (mask[:, None, :] == 1)  # [b, query, key]
    streams = []
    for i in range(s.layers):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], s.eps)
        q = (a @ w[p + "self_attn.q_proj.weight"].T).reshape(b, n, s.heads, s.head_dim)
        k = (a @ w[p + "self_attn.k_proj.weight"].T).reshape(b, n, s.kv_heads, s.head_dim)
        v = (a @ w[p + "self_attn.v_proj.weight"].T).reshape(b, n, s.kv_heads, s.head_dim)
        if s.qk_norm:
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], s.eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], s.eps)
        q, k = rope(q, pos, cos, sin), rope(k, pos, cos, sin)
        k, v = np.repeat(k, s.kv_group, axis=2), np.repeat(v, s.kv_group, axis=2)  # query head j reads KV head j // group
        scores = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(s.head_dim)
        scores = np.where(allowed[:, None], scores, -np.inf)
        scores -= np.max(np.where(np.isfinite(scores), scores, -1e300), axis=-1, keepdims=True)
        probs = np.where(allowed[:, None], np.exp(scores), 0)
        probs /= np.maximum(probs.sum(-1, keepdims=True), 1e-300)
        attended = np.einsum("bhqk,bkhd->bqhd", probs, v).reshape(b, n, s.heads * s.head_dim)
        x = x + attended @ w[p + "self_attn.o_proj.weight"].T
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], s.eps)
        gate = m @ w[p + "mlp.gate_proj.weight"].T
        x = x + ((gate / (1 + np.exp(-gate))) * (m @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        streams.append(x)
    h = rms_norm(x, w["model.norm.weight"], s.eps)
    return {"streams": streams, "hidden": h, "logits": h @ w["model.embed_tokens.weight"].T}
