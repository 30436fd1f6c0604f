"""A small GPT-2-style causal LM (pre-LN, tied LM head, final LayerNorm).

Parameter names follow Hugging Face GPT2Model (wte, wpe, h.N.ln_1, attn.c_attn, ...), but the
module is self-contained (Debian's torch, no transformers package).
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, n_head, dropout):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(dropout)
        self.attn_drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        # bias: (B, 1, T, T) additive attention bias (causal + key padding)
        B, T, D = x.shape
        h = self.ln_1(x)
        q, k, v = self.c_attn(h).split(D, dim=2)
        hd = D // self.n_head
        q = q.view(B, T, self.n_head, hd).transpose(1, 2)
        k = k.view(B, T, self.n_head, hd).transpose(1, 2)
        v = v.view(B, T, self.n_head, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd)) + bias
        att = self.attn_drop(torch.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.drop(self.c_proj(y))
        h = self.ln_2(x)
        h = self.mlp_proj(F.gelu(self.c_fc(h), approximate="tanh"))
        return x + self.drop(h)


class GPT(nn.Module):
    def __init__(self, vocab, d=192, n_layer=4, n_head=6, n_pos=64, dropout=0.0):
        super().__init__()
        self.cfg = dict(vocab=vocab, d=d, n_layer=n_layer, n_head=n_head, n_pos=n_pos)
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(n_pos, d)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([Block(d, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.apply(self._init)
        for n, p in self.named_parameters():
            if n.endswith("c_proj.weight") or n.endswith("mlp_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def set_dropout(self, p):
        for m in self.modules():
            if isinstance(m, nn.Dropout):
                m.p = p

    def forward(self, input_ids, attention_mask):
        """Returns last_hidden_state (final LayerNorm applied), shape (B, T, d)."""
        B, T = input_ids.shape
        pos = torch.arange(T, device=input_ids.device).unsqueeze(0)
        x = self.drop(self.wte(input_ids) + self.wpe(pos))
        causal = torch.ones(T, T, dtype=torch.bool, device=input_ids.device).tril()
        allowed = causal.view(1, 1, T, T) & (attention_mask.view(B, 1, 1, T) > 0)
        # a finite -1e9 (not -inf) keeps a fully masked row (a left-padding query) free of NaN
        bias = torch.zeros(B, 1, T, T, dtype=x.dtype, device=x.device).masked_fill(~allowed, -1e9)
        for blk in self.h:
            x = blk(x, bias)
        return self.ln_f(x)

    def logits(self, hidden):
        return hidden @ self.wte.weight.t()


def pool(hidden, mask, mode):
    """hidden (B,T,d), mask (B,T) -> (B,d). weighted-mean: w_t = t / sum t over real tokens (SGPT)."""
    m = mask.to(hidden.dtype)
    if mode == "mean":
        w = m
    elif mode == "weighted-mean":
        pos = torch.arange(1, hidden.shape[1] + 1, dtype=hidden.dtype, device=hidden.device).unsqueeze(0)
        w = m * pos
    elif mode == "last":
        idx = mask.long().sum(1) - 1  # right padding
        return hidden[torch.arange(hidden.shape[0]), idx]
    else:
        raise ValueError(mode)
    w = w / w.sum(1, keepdim=True)
    return (hidden * w.unsqueeze(-1)).sum(1)
