#!/bin/sh
# Builds the config.json fuzzer with clang and runs it for a bounded time.
#   tests/fuzz/run-fuzzer.sh [BUILD_DIR]      (default: build-fuzz in the repo)
#   FUZZ_SECONDS=60  how long to fuzz;  FUZZ_JOBS=2  ninja parallelism
# Exits non-zero when the build fails or the fuzzer finds a crash (the input
# is left in BUILD_DIR as crash-*, leak-*, timeout-* or oom-*).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build-fuzz}
seconds=${FUZZ_SECONDS:-60}

# A small project of its own (tests/fuzz/CMakeLists.txt): only the oci and
# common sources and RapidJSON, so it does not need the product's other
# dependencies. Once tests/CMakeLists.txt adds tests/fuzz when CHRUNC_FUZZ is
# on, the main project builds the same target with
#   -DCHRUNC_FUZZ=ON -DCHRUNC_AREAS="common;oci" -DCHRUNC_BUILD_TESTS=ON.
CC=clang CXX=clang++ cmake -G Ninja -S "$here" -B "$build" -DCHRUNC_FUZZ=ON >/dev/null
ninja -C "$build" -j"${FUZZ_JOBS:-2}" config_parser_fuzz

# New inputs go to a work corpus in the build dir; the seeds stay untouched.
mkdir -p "$build/corpus"
exec "$build/config_parser_fuzz" \
  -max_total_time="$seconds" -max_len=16384 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$build/" "$build/corpus" "$here/corpus"
