"""Print the model card's tables (markdown) from results/eval.json and the checkpoints' metadata."""
import argparse, json
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", required=True)
    ap.add_argument("--base")
    ap.add_argument("--embed")
    a = ap.parse_args()
    r = json.load(open(a.eval))
    keys = [("hit@10", "Hit@10"), ("lar", "LAR"), ("gar", "GAR"), ("content_hit@10", "content Hit@10"),
            ("content_lar", "content LAR"), ("content_gar", "content GAR"),
            ("top10_share_frequent50", "top-10 share among the 50 most frequent")]
    print(f"STS-B test, {r['n_sentences']} unique sentences ({r['base']['n_content_texts']} with a content token)\n")
    print("| model | " + " | ".join(k[1] for k in keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    names = {"base": "base", "embed": "embedder", "base+v1u1": "base + v1·u1",
             "base+lambda_dev_u1": "base + λ·u1, λ chosen on held-out dev",
             "base_stripped": "base, trailing punctuation stripped", "embed_stripped": "embedder, trailing punctuation stripped"}
    for n in ["base", "embed", "base+v1u1", "base+lambda_dev_u1", "base_stripped", "embed_stripped"]:
        if n not in r:
            continue
        print(f"| {names[n]} | " + " | ".join(f"{r[n][k]:.3f}" for k, _ in keys) + " |")
    print()
    print("| | " + " | ".join(f"v{j + 1}" for j in range(10)) + " |")
    print("|---" * 11 + "|")
    print("| v_j | " + " | ".join(f"{x:.3f}" for x in r["v"]) + " |")
    print(f"\n|v1| / max_(j=2..10) |v_j| = {r['v1_over_max_rest']:.2f}; v1² / |mean shift|² = {r['v1_share_of_squared_shift']:.2f}\n")
    for k, ok in r["targets"].items():
        print(f"- {'met' if ok else 'NOT met'}: {k}")
    print()
    for e in r["examples"]:
        print(f"**{e['text']}**  ")
        print("tokens: " + " ".join(f"`{t}`" for t in e["tokens"]) + "  ")
        for n in ["base", "embed", "base+v1u1"]:
            print(f"{n}: " + " ".join(f"`{t}`" for t in e[n]) + "  ")
        print()
    for n, p in [("base", a.base), ("embed", a.embed)]:
        if p:
            c = torch.load(p)
            print(n, {k: v for k, v in c.items() if k not in ("state",)})


if __name__ == "__main__":
    main()
