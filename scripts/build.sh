#!/usr/bin/env bash
# Configures and builds ch-runc, its guest agent and the guest image into BUILD_DIR
# (default: build/). Extra arguments go to cmake's configure step; TARGETS
# (space-separated) builds only those targets instead of everything.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
jobs=${JOBS:-$(nproc)}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$src}
cmake -G Ninja -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
# shellcheck disable=SC2086  # TARGETS is a word list
ninja -C "$build" -j "$jobs" ${TARGETS:-}
