#!/usr/bin/python3
"""An independent scorer for `lens index` exports: reads only the exported files.

Usage: /usr/bin/python3 tools/reference/score_exports.py <out-dir> anserini|elasticsearch [depth]

Checks each file against its format's documented shape, scores every query the
way the engine would (Anserini impact search: sum of query weight x document
weight; Elasticsearch: bool.should of rank_feature/linear clauses, the sum of
the stored feature values), and prints a TREC run (qid Q0 docid rank score tag)
ranked by score, ties to the earlier document, to compare with run.trec.
"""
import json
import sys


def fail(message):
    sys.exit(f"score_exports: {message}")


def json_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.endswith("\n"):
        fail(f"{path}: NDJSON must end with a newline")
    return [json.loads(line) for line in text[:-1].split("\n")]


def check_vector(vector, where, integers):
    if not isinstance(vector, dict) or not vector:
        fail(f"{where}: the vector must be a non-empty object")
    for term, weight in vector.items():
        if not term or any(c.isspace() for c in term) or "." in term:
            fail(f"{where}: bad term {term!r}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            fail(f"{where}: weights must be strictly positive numbers, got {weight!r}")
        if integers and not isinstance(weight, int):
            fail(f"{where}: impact weights must be integers, got {weight!r}")


def anserini(out):
    docs = []
    for i, d in enumerate(json_lines(f"{out}/anserini/collection.jsonl")):
        if set(d) != {"id", "contents", "vector"} or not isinstance(d["id"], str) or not isinstance(d["contents"], str):
            fail(f"collection line {i + 1}: expected {{id, contents, vector}}")
        check_vector(d["vector"], f"collection line {i + 1}", True)
        docs.append((d["id"], d["vector"]))
    queries = []
    for i, q in enumerate(json_lines(f"{out}/anserini/topics.jsonl")):
        if set(q) != {"qid", "vector"}:
            fail(f"topics line {i + 1}: expected {{qid, vector}}")
        check_vector(q["vector"], f"topics line {i + 1}", True)
        queries.append((str(q["qid"]), q["vector"]))
    return docs, queries


def elasticsearch(out):
    with open(f"{out}/elasticsearch/mapping.json", encoding="utf-8") as f:
        mapping = json.load(f)
    field = next((name for name, p in mapping["mappings"]["properties"].items() if p.get("type") == "rank_features"), None)
    if field is None:
        fail("mapping.json: no rank_features field")
    bulk = json_lines(f"{out}/elasticsearch/bulk.ndjson")
    if len(bulk) % 2:
        fail("bulk.ndjson: expected action and source lines in pairs")
    docs = []
    for i in range(0, len(bulk), 2):
        action, source = bulk[i], bulk[i + 1]
        if list(action) != ["index"] or "_id" not in action["index"]:
            fail(f"bulk line {i + 1}: expected an index action with an _id")
        check_vector(source[field], f"bulk line {i + 2}", False)
        docs.append((action["index"]["_id"], source[field]))
    search = json_lines(f"{out}/elasticsearch/msearch.ndjson")
    queries = []
    for i in range(0, len(search), 2):
        body = search[i + 1]
        vector = {}
        for clause in body["query"]["bool"]["should"]:
            feature = clause["rank_feature"]
            if "linear" not in feature or not feature["field"].startswith(field + "."):
                fail(f"msearch line {i + 2}: expected rank_feature clauses on {field}.* with the linear function")
            vector[feature["field"][len(field) + 1:]] = clause["rank_feature"].get("boost", 1)
        # _msearch bodies carry no query id: queries follow topics.jsonl's order
        queries.append((str(i // 2), vector))
    return docs, queries


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("anserini", "elasticsearch"):
        fail(__doc__.strip().splitlines()[2])
    out, kind = sys.argv[1], sys.argv[2]
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    docs, queries = anserini(out) if kind == "anserini" else elasticsearch(out)
    if kind == "elasticsearch":
        ids = [str(q["qid"]) for q in json_lines(f"{out}/anserini/topics.jsonl")]
        queries = [(ids[int(i)], v) for i, v in queries]
    for qid, query in queries:
        scored = []
        for order, (doc_id, vector) in enumerate(docs):
            shared = [t for t in query if t in vector]
            if shared:
                scored.append((-sum(query[t] * vector[t] for t in shared), order, doc_id))
        scored.sort()
        for rank, (negative, _, doc_id) in enumerate(scored[:depth]):
            score = -negative
            print(f"{qid} Q0 {doc_id} {rank + 1} {int(score) if float(score).is_integer() else score} lens-{kind}")


main()
