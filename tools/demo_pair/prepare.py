"""Train the BPE tokenizer on the corpus, tokenize it into 64-token training rows, count token frequencies."""
import argparse, json, os, time
import numpy as np
import bpe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--ctx", type=int, default=64)
    ap.add_argument("--prefix-space", type=int, default=1,
                    help="1 (the shipped pair): the tokenizer puts a space before a text (ByteLevel add_prefix_space)")
    a = ap.parse_args()
    t0 = time.time()
    docs = [json.loads(l) for l in open(os.path.join(a.data, "corpus.jsonl"), encoding="utf-8")]
    texts = [s for d in docs for s in d["sents"]]
    merges = bpe.train(texts, a.vocab)
    tokdir = os.path.join(a.data, "tokenizer")
    bpe.write_hf(tokdir, merges, a.ctx, prefix_space=bool(a.prefix_space))
    # The pre-training rows and token counts are encoded without the prefix space whatever the flag:
    # the base LM saw a document's first word as it is written (no leading space), and a base LM
    # read back with BASE_FROM must match the rows the recipe would train it on.
    enc = bpe.Encoder(os.path.join(tokdir, "tokenizer.json"), prefix_space=False)
    print(f"tokenizer: {len(enc.vocab)} tokens, {time.time() - t0:.0f}s", flush=True)
    eot, T = enc.eot, a.ctx
    # rows start at a sentence start; following sentences of the same document continue the row
    # (joined by a space); documents are separated by <|endoftext|>; a sentence longer than a row is
    # cut into row-sized pieces.
    rows, counts = [], np.zeros(len(enc.vocab), dtype=np.int64)
    cur = []
    for d in docs:
        for k, s in enumerate(d["sents"]):
            ids = enc.encode(s)
            np.add.at(counts, ids, 1)
            if cur and k > 0:
                cont = enc.encode(" " + s)
            else:
                cont = ids
            if cur and k == 0:
                cont = [eot] + ids
            if cur and len(cur) + len(cont) <= T:
                cur += cont
                continue
            if cur:
                # fill the rest of the row with the beginning of this sentence, then start anew
                rest = T - len(cur)
                cur += cont[:rest]
                rows.append(cur)
            cur = []
            while len(ids) > T:
                rows.append(ids[:T]); ids = ids[T:]
            cur = list(ids)
    if cur:
        rows.append(cur)
    arr = np.full((len(rows), T), eot, dtype=np.int32)
    lens = np.zeros(len(rows), dtype=np.int32)
    for i, r in enumerate(rows):
        arr[i, :len(r)] = r; lens[i] = len(r)
    np.save(os.path.join(a.data, "rows.npy"), arr)
    np.save(os.path.join(a.data, "lens.npy"), lens)
    np.save(os.path.join(a.data, "counts.npy"), counts)
    order = np.argsort(-counts, kind="stable")[:200]
    json.dump({"ids": order.tolist(), "counts": counts[order].tolist()},
              open(os.path.join(a.data, "frequent_tokens.json"), "w"))
    print(f"rows {len(rows)}, tokens in rows {int(lens.sum())}, corpus tokens {int(counts.sum())}, "
          f"{time.time() - t0:.0f}s")
    print("top-30:", [enc.token_str(int(i)) for i in order[:30]])


if __name__ == "__main__":
    main()
