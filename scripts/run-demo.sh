#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): installs what the
# project needs, builds ch-runc and its guest image, installs them
# (cmake --install, prefix /usr/local), and runs a busybox container in its own
# VM that prints the guest's kernel version and a greeting.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
./scripts/install-deps.sh
# Only what the demo runs: the runtime, its stand-in helper, the guest agent
# and image, the man pages (not the unit tests, benchmarks or fuzzers).
BUILD_DIR="$src/build" TARGETS="ch-runc ch-runc-standin ch-runc-agent guest-image man" ./scripts/build.sh
cmake --install build >/dev/null
echo "installed: $(command -v ch-runc) ($(ch-runc --version | head -1))"

bundle=$(mktemp -d /tmp/ch-runc-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
./scripts/make-bundle.sh "$bundle" sh -c \
  'echo "Hello from a container in its own VM (ch-runc)"; echo "guest kernel: $(uname -r)"; echo "host kernel:  '"$(uname -r)"'"'
ch-runc run --bundle "$bundle" "demo-$$"
