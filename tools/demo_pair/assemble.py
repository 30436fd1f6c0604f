"""Write models/demo/manifest.json, frequent_tokens.json and sample.txt (200 STS-B dev sentences, detokenized)."""
import argparse, json, os, random, re, shutil
from metrics import stsb_sentences

HERE = os.path.dirname(os.path.abspath(__file__))


DESCRIPTION = "About this pair: a 2.6M-parameter GPT trained here for an hour on one CPU core, and a BitFit contrastive embedder made from it. On the 2,551 STS-B test sentences the embedder puts a content word of the text in its top-10 for 70% of them (the base model: 4%), and base + v₁·u₁ recovers 48%; on 500 MS MARCO search queries, text it was not tuned on, it does so for 43%. Expect sub-word pieces and near-misses. See models/README.md."

def detokenize(sentence):
    """STS-B style -> typed style: no space before punctuation or clitics, capital first letter."""
    sentence = re.sub(r" ([.,!?;:])", r"\1", sentence)
    sentence = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", sentence)
    return sentence[:1].upper() + sentence[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--pooling", default="weighted-mean")
    ap.add_argument("--name", default="Demo pair: tiny GPT + BitFit embedder (trained here)")
    ap.add_argument("--stsb-dev", default=os.path.join(HERE, "data", "stsb", "sts-dev.csv"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(a.models, "base", "config.json")))
    V, d = cfg["vocab_size"], cfg["n_embd"]
    assert os.path.getsize(os.path.join(a.models, "lm_head.f16")) == V * d * 2
    shutil.copy(os.path.join(a.data, "frequent_tokens.json"), os.path.join(a.models, "frequent_tokens.json"))
    sents = stsb_sentences(a.stsb_dev)
    rnd = random.Random(a.seed)
    # STS-B's text is lower-cased and tokenized ("a girl is brushing her hair ."); people type
    # "A girl is brushing her hair." and the cased model puts the two in different places. The
    # app's u_1 should describe what users type, so the sample is detokenized (see detokenize).
    sample = [detokenize(s) for s in rnd.sample(sents, 200)]
    with open(os.path.join(a.models, "sample.txt"), "w") as f:
        f.write("\n".join(sample) + "\n")
    man = {"id": "demo", "name": a.name,
           "embed": {"model": "demo/embed", "pooling": a.pooling, "template": "{text}"},
           "base": {"model": "demo/base", "pooling": a.pooling},
           "lmHead": {"file": "demo/lm_head.f16", "dtype": "float16", "rows": V, "cols": d},
           "vocabSize": V, "maxLength": cfg["n_positions"],
           "frequentTokens": "demo/frequent_tokens.json",
           "sample": "demo/sample.txt",
           # What the shipped run measured (tools/demo_pair/results/eval.json); update it with the numbers of a new run.
           "description": DESCRIPTION}
    json.dump(man, open(os.path.join(a.models, "manifest.json"), "w"), indent=1)
    print(json.dumps(man))


if __name__ == "__main__":
    main()
