"""Byte-level BPE (GPT-2 style), written from scratch: trainer, encoder, tokenizer.json writer.

Pre-tokenisation follows the GPT-2 regex
  's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
implemented as a hand-written scanner (Debian has no `regex` module) with JavaScript's \\s set,
so that it matches what transformers.js does with the ByteLevel pre-tokenizer.
"""
import heapq, json, unicodedata
from collections import Counter

EOT = "<|endoftext|>"
JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def _cls(ch):
    if ch in JS_SPACE:
        return "S"
    c = unicodedata.category(ch)[0]
    if c == "L":
        return "L"
    if c == "N":
        return "N"
    return "O"


def pretokenize(text):
    out, i, n = [], 0, len(text)
    cls = [_cls(c) for c in text]
    while i < n:
        ch = text[i]
        if ch == "'" and i + 1 < n:
            if text[i + 1] in "st" :
                out.append(text[i:i + 2]); i += 2; continue
            if text[i + 1:i + 3] in ("re", "ve", "ll"):
                out.append(text[i:i + 3]); i += 3; continue
            if text[i + 1] in "md":
                out.append(text[i:i + 2]); i += 2; continue
        j = i + 1 if (ch == " " and i + 1 < n) else i
        c = cls[j]
        if c in "LN" or (c == "O"):
            if j == i + 1 or c != "S":
                k = j
                if c == "O":
                    while k < n and cls[k] == "O":
                        k += 1
                else:
                    while k < n and cls[k] == c:
                        k += 1
                if k > j:
                    out.append(text[i:k]); i = k; continue
        # whitespace run
        k = i
        while k < n and cls[k] == "S":
            k += 1
        if k == n or k - 1 == i:
            out.append(text[i:k]); i = k; continue          # \s+(?!\S) at end, or lone \s+
        out.append(text[i:k - 1]); i = k - 1                  # \s+(?!\S): leave one space for the next word
    return out


def to_units(piece):
    return "".join(B2U[b] for b in piece.encode("utf-8"))


def train(texts, vocab_size, log=print):
    """texts: iterable of strings. Returns merges list [(a, b)] with symbols as byte-unicode strings."""
    wc = Counter()
    for t in texts:
        wc.update(pretokenize(t))
    log(f"bpe: {len(wc)} unique pre-tokens")
    sym = [B2U[b] for b in range(256)]
    sid = {s: i for i, s in enumerate(sym)}
    words, counts = [], []
    for w, c in wc.items():
        words.append([sid[u] for u in to_units(w)])
        counts.append(c)
    pc, where = Counter(), {}
    for wi, w in enumerate(words):
        for p in zip(w, w[1:]):
            pc[p] += counts[wi]
            where.setdefault(p, set()).add(wi)
    heap = [(-c, p) for p, c in pc.items()]
    heapq.heapify(heap)
    merges = []
    n_merges = vocab_size - 256 - 1
    while len(merges) < n_merges and heap:
        negc, p = heapq.heappop(heap)
        if pc.get(p, 0) != -negc or -negc <= 0:
            continue
        a, b = p
        new = len(sym)
        sym.append(sym[a] + sym[b])
        merges.append((sym[a], sym[b]))
        changed = set()
        for wi in list(where.get(p, ())):
            w = words[wi]
            if len(w) < 2:
                continue
            c = counts[wi]
            out, k, hit = [], 0, False
            while k < len(w):
                if k + 1 < len(w) and w[k] == a and w[k + 1] == b:
                    out.append(new); k += 2; hit = True
                else:
                    out.append(w[k]); k += 1
            if not hit:
                continue
            for q in zip(w, w[1:]):
                pc[q] -= c; changed.add(q)
            for q in zip(out, out[1:]):
                pc[q] += c; changed.add(q)
                where.setdefault(q, set()).add(wi)
            words[wi] = out
        where.pop(p, None)
        pc.pop(p, None)
        for q in changed:
            if q in pc and pc[q] > 0:
                heapq.heappush(heap, (-pc[q], q))
        if len(merges) % 1000 == 0:
            log(f"bpe: {len(merges)} merges, last {sym[new]!r} count {-negc}")
    return merges


def build_vocab(merges):
    vocab = {B2U[b]: b for b in range(256)}
    for a, b in merges:
        vocab[a + b] = len(vocab)
    vocab[EOT] = len(vocab)
    return vocab


def write_hf(outdir, merges, max_len, prefix_space=False):
    """prefix_space: the ByteLevel pre-tokenizer's add_prefix_space (a text that does not start with a
    space gets one, so its first word is the same " word" token it is mid-sentence)."""
    import os
    os.makedirs(outdir, exist_ok=True)
    vocab = build_vocab(merges)
    eot = vocab[EOT]
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": eot, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": prefix_space, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }
    with open(os.path.join(outdir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    cfg = {"tokenizer_class": "GPT2Tokenizer", "model_max_length": max_len, "bos_token": EOT, "eos_token": EOT,
           "unk_token": EOT, "pad_token": EOT, "add_bos_token": False, "add_prefix_space": prefix_space,
           "clean_up_tokenization_spaces": False}
    with open(os.path.join(outdir, "tokenizer_config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    return vocab


class Encoder:
    """Reference encoder reading a tokenizer.json written by write_hf. prefix_space: None follows the
    file's ByteLevel add_prefix_space (as transformers.js does: a space is put before a text that does
    not start with one); False/True override it."""

    def __init__(self, path, prefix_space=None):
        tj = json.load(open(path, encoding="utf-8"))
        pre = tj.get("pre_tokenizer") or {}
        self.prefix_space = bool(pre.get("add_prefix_space", False)) if prefix_space is None else prefix_space
        self.vocab = tj["model"]["vocab"]
        self.inv = {i: s for s, i in self.vocab.items()}
        self.ranks = {tuple(m.split(" ")): r for r, m in enumerate(tj["model"]["merges"])}
        self.eot = self.vocab[EOT]
        self.cache = {}

    def _bpe(self, units):
        w = list(units)
        while len(w) > 1:
            best, bi = None, -1
            for k in range(len(w) - 1):
                r = self.ranks.get((w[k], w[k + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, k
            if best is None:
                break
            a, b = w[bi], w[bi + 1]
            out, k = [], 0
            while k < len(w):
                if k + 1 < len(w) and w[k] == a and w[k + 1] == b:
                    out.append(a + b); k += 2
                else:
                    out.append(w[k]); k += 1
            w = out
        return [self.vocab[s] for s in w]

    def encode(self, text):
        if self.prefix_space and text and not text.startswith(" "):  # as transformers.js: "" stays empty
            text = " " + text
        ids = []
        for piece in pretokenize(text):
            r = self.cache.get(piece)
            if r is None:
                r = self._bpe(to_units(piece))
                if len(self.cache) < 500000:
                    self.cache[piece] = r
            ids.extend(r)
        return ids

    def token_str(self, i):
        """Readable form of one token (bytes decoded with replacement)."""
        s = self.inv[i]
        if s == EOT:
            return s
        return bytes(U2B[c] for c in s).decode("utf-8", errors="replace")

    def decode(self, ids):
        return b"".join(bytes(U2B[c] for c in self.inv[i]) for i in ids if i != self.eot).decode("utf-8", errors="replace")
