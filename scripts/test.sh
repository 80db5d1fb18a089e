#!/usr/bin/env bash
# The test suite: installs prerequisites, builds, and runs every test (unit, integration against
# the loopback replica, and interop checks against the Python peers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KO_LLAMA_REQUIRE_PEERS=1   # interop tests fail, not skip, when a peer is missing
swift build --build-tests
# XCTest only: an empty Swift Testing run would end the log with a "0 tests" line.
swift test --skip-build --disable-swift-testing "$@"
