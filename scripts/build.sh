#!/usr/bin/env bash
# Configures and builds ch-runc, its guest agent and the guest image into BUILD_DIR
# (default: build/). Extra arguments go to cmake's configure step.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
jobs=${JOBS:-$(nproc)}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$src}
cmake -G Ninja -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
ninja -C "$build" -j "$jobs"
