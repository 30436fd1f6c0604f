#!/usr/bin/python3
"""An independent reference for the content-token metrics of the dataset analysis.

Shares no code with src/: tokenization is tools/demo_pair/bpe.py's Python BPE encoder, the forward pass
is tools/demo_pair/export.py's numpy interpreter of the shipped ONNX graphs (not onnxruntime), and the
content filter and the metrics are written here from their definitions:

  content token   decoded token text, trimmed (JavaScript's whitespace set) and lower-cased, that has a
                  letter or digit, is not an English stop word (tools/demo_pair/stopwords-en.json) and
                  is not among the 100 most frequent ids of the pair's reference corpus (frequentTokens);
  content Hit@10  1 if any of the top-10 ids of W·h is a content token of the text, averaged over the
                  texts that have a content token;
  content LAR     |top-|T| ∩ T| / |T| with T the text's unique content tokens, averaged likewise;
  content GAR     |∪ (top-|T_i| ∩ T_i)| / |∪ T_i| over those texts;
  frequent share  mean over all texts of |top-k ∩ the 50 most frequent ids| / k.

for the embedder, the base model and base + v_1·u_1 (v_1, u_1 from the uncentred SVD of the base
embeddings, u_1 signed towards their mean, as in the paper §4).

    /usr/bin/python3 tools/reference/content_fixtures.py [pair_dir] [n_texts]

Writes cli/__fixtures__/content-metrics-<pair id>.json for the first n (default 100) unique STS-B test
sentences. Rerun it whenever the pair's files change (e.g. the demo pair is retrained).
"""
import json
import os
import sys
import unicodedata

import numpy as np

from common import ROOT, Encoder, ranked, run_body, stsb_sentences

pair_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "demo"))
n_texts = int(sys.argv[2]) if len(sys.argv) > 2 else 100
manifest = json.load(open(os.path.join(pair_dir, "manifest.json")))
models_root = os.path.dirname(pair_dir)
K = 10
TOP_FREQUENT_FILLER = 100
TOP_FREQUENT_SHARE = 50

# String.prototype.trim's whitespace: WhiteSpace and LineTerminator of ECMA-262.
JS_TRIM = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"






def embed_all(model_dir, texts, method, template="{text}"):
    return run_body(models_root, model_dir, texts, manifest["maxLength"], ["last_hidden_state"], method, template)["last_hidden_state"]




def has_letter_or_digit(word):
    return any(unicodedata.category(ch)[0] in "LN" for ch in word)


texts = stsb_sentences()[:n_texts]
enc = Encoder(os.path.join(models_root, manifest["base"]["model"], "tokenizer.json"))
stopwords = set(json.load(open(os.path.join(ROOT, "tools", "demo_pair", "stopwords-en.json"))))
frequent = json.load(open(os.path.join(models_root, manifest["frequentTokens"])))["ids"] if manifest.get("frequentTokens") else []
filler = set(frequent[:TOP_FREQUENT_FILLER])
top50 = set(frequent[:TOP_FREQUENT_SHARE])


def is_content(token_id):
    word = enc.decode([token_id]).strip(JS_TRIM).lower()
    return token_id not in filler and has_letter_or_digit(word) and word not in stopwords


token_sets = [list(dict.fromkeys(enc.encode(t)[: manifest["maxLength"]])) for t in texts]
content_sets = [[i for i in ids if is_content(i)] for ids in token_sets]

E = embed_all(manifest["embed"]["model"], texts, manifest["embed"]["pooling"], manifest["embed"].get("template", "{text}"))
B = embed_all(manifest["base"]["model"], texts, manifest["base"]["pooling"])

head = manifest["lmHead"]
dtype = {"float32": "<f4", "float16": "<f2"}[head["dtype"]]
W = np.fromfile(os.path.join(models_root, head["file"]), dtype=dtype).reshape(head["rows"], head["cols"]).astype(np.float64)
W = W[: manifest["vocabSize"]]

_, _, Vt = np.linalg.svd(B, full_matrices=False)
u1 = Vt[0] if B.mean(axis=0) @ Vt[0] >= 0 else -Vt[0]
v1 = float((E - B).mean(axis=0) @ u1)
A = B + v1 * u1

result = {"pair": manifest["id"], "texts": texts, "k": K, "content": {}, "frequentShare": {},
          "contentTexts": sum(1 for c in content_sets if c)}
for name, H in (("embed", E), ("base", B), ("baseAdjusted", A)):
    hits, lars, found_all, all_t, shares = [], [], set(), set(), []
    for h, T_list, all_ids in zip(H, content_sets, token_sets):
        top = ranked(W @ h, max(K, len(all_ids)))
        shares.append(len(set(top[:K]) & top50) / K)
        if not T_list:
            continue
        T = set(T_list)
        hits.append(1.0 if set(top[:K]) & T else 0.0)
        found = set(top[: len(T)]) & T
        lars.append(len(found) / len(T))
        found_all |= found
        all_t |= T
    result["content"][name] = {"n": len(hits), "hit10": float(np.mean(hits)), "lar": float(np.mean(lars)), "gar": len(found_all) / len(all_t)}
    result["frequentShare"][name] = float(np.mean(shares))

out_dir = os.path.join(ROOT, "cli", "__fixtures__")
os.makedirs(out_dir, exist_ok=True)
path = os.path.join(out_dir, f"content-metrics-{manifest['id']}.json")
json.dump(result, open(path, "w"), indent=1)
print("wrote", os.path.relpath(path, ROOT), {k: {m: round(x, 4) for m, x in d.items()} for k, d in result["content"].items()},
      "frequent share", {k: round(x, 4) for k, x in result["frequentShare"].items()})
