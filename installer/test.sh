#!/usr/bin/env bash
# Installs what is needed, builds Portal with AddressSanitizer/UBSan and runs the whole test
# suite with CTest (unit, interop against real sshd/dropbear/tinysshd, GUI offscreen), then
# builds the libFuzzer targets with clang and smoke-runs each over its corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

./installer/install-deps-debian.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/build/.ccache}"
jobs="${PORTAL_JOBS:-$(nproc)}"
export CMAKE_BUILD_PARALLEL_LEVEL="$jobs"
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-$jobs}"

cmake --workflow --preset dev
cmake --workflow --preset fuzz
