#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine (as root):
# installs what the project needs, builds, and runs every check. The last line
# is "N passed, M failed, K skipped" over every test case; a skipped case
# (GTEST_SKIP, an e2e script's exit 77) is counted apart, never as passed, and
# a stage that finds no test fails. The exit code is non-zero when anything
# failed.
#
#   ./scripts/run-tests.sh            everything
#   STAGES="unit e2e" ./scripts/run-tests.sh   a subset (stage names below)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
jobs=$(nproc)
# ccache hits across checkouts in different directories (CI's fresh clones).
export CCACHE_BASEDIR=$src
# clang-tidy over the whole tree takes longer than CI's budget on 2 cores (the
# gRPC headers): it is a stage of its own, `STAGES=tidy ./scripts/run-tests.sh`;
# so is the soak, `STAGES=soak` (SOAK_SEQUENTIAL, SOAK_PARALLEL set its counts).
# The engine tests (docker, podman, containerd and their networking, against
# runc and then ch-runc) are in the default run: their checks share
# containers where they can (12-13 VM boots per engine instead of about 40),
# which keeps them within CI's budget under TCG.
stages=${STAGES:-"format build unit e2e engines sanitizers fuzz"}

passed=0
failed=0
skipped=0
failures=()

note() { printf '\n=== %s ===\n' "$*"; }
fail_stage() { failed=$((failed + 1)); failures+=("$1"); }

# Runs ctest in a build dir and adds its counts to the totals: passed,
# failed, and skipped apart (ctest counts a skipped test as passed in its
# "N% tests passed" line, and lists it under "did not run" as "(Skipped)").
run_ctest() {
  local name=$1 dir=$2
  shift 2
  local log
  log=$(mktemp)
  ctest --test-dir "$dir" --output-on-failure "$@" 2>&1 | tee "$log"
  local line total nfail nskip
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    fail_stage "$name (ctest found no test or did not report)"
  else
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    nfail=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
    nskip=$(grep -cE '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$log")
    passed=$((passed + total - nfail - nskip))
    failed=$((failed + nfail))
    skipped=$((skipped + nskip))
    [ "$nfail" = 0 ] || failures+=("$name: $nfail failed")
    [ "$total" -gt 0 ] || fail_stage "$name (no test ran)"
  fi
  rm -f "$log"
}

has_stage() { [[ " $stages " == *" $1 "* ]]; }

note "install dependencies"
./scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

if has_stage format; then
  note "clang-format"
  drift=$(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' | xargs -r clang-format --dry-run -Werror 2>&1 | grep -E '^[^ ].*: error' | cut -d: -f1 | sort -u)
  if [ -n "$drift" ]; then
    echo "format drift (run clang-format -i):"
    echo "$drift"
    fail_stage format
  else
    echo "no format drift"
    passed=$((passed + 1))
  fi
fi

if has_stage build; then
  note "build (RelWithDebInfo) and guest image"
  if BUILD_DIR="$src/build" ./scripts/build.sh && ninja -C build guest-image; then
    passed=$((passed + 1))
  else
    fail_stage build
    echo "build failed: nothing else can run"
    echo "$passed passed, $failed failed, $skipped skipped"
    exit 1
  fi
fi

# The sanitizer build starts now, in the background at the lowest priority
# with one job: the unit, e2e and engine stages leave a core mostly idle
# while the VMs boot under TCG, and a cold build takes about 10 minutes.
# The sanitizer stage stops it and finishes the build at full speed.
asan_configure=(-DCHRUNC_SANITIZE=ON -DCHRUNC_BUILD_AGENT=OFF)
asan_pid=
if has_stage sanitizers; then
  asan_log=$(mktemp)
  setsid nice -n 19 env BUILD_DIR="$src/build-asan" BUILD_TYPE=Debug JOBS=1 \
    ./scripts/build.sh "${asan_configure[@]}" >"$asan_log" 2>&1 </dev/null &
  asan_pid=$!
  trap '[ -n "$asan_pid" ] && kill -TERM -- "-$asan_pid" 2>/dev/null' EXIT
fi

if has_stage unit; then
  note "unit tests"
  run_ctest unit build -LE e2e -j "$jobs" --timeout 300
fi

if has_stage e2e; then
  note "end-to-end tests (real VMs under QEMU)"
  # Two suites at once: much of an e2e suite waits (deadlines of a frozen
  # guest, the KVM probe's, the conformance harness's polls) while boots
  # take the CPUs; under TCG at most host-CPUs VMs boot at once anyway
  # (boot slots). The suites share nothing (own --root, ids unique across
  # suites): 18 minutes instead of 29 on 2 loaded cores.
  run_ctest e2e build -L e2e -j 2
fi

# add_summary NAME LINE: adds a script's "NAME: N passed, M failed" line to
# the totals, naming NAME among the failures when M > 0.
add_summary() {
  local p f
  p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$2")
  f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$2")
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$f" = 0 ] || failures+=("$1: $f failed")
}

# Runs tests/engines against one runtime; every engine's "N passed, M
# failed" line adds to the totals, and each failed test is named.
run_engines() {
  local label=$1
  shift
  local log start line engine
  log=$(mktemp)
  start=$SECONDS
  tests/engines/run-engine-tests.sh "$@" 2>&1 | tee "$log"
  echo "# engines against $label: $((SECONDS - start)) s"
  for engine in docker podman ctr network; do
    line=$(grep -E "^$engine: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
    if [ -z "$line" ]; then
      fail_stage "engines/$label/$engine (no summary: the script did not finish)"
      continue
    fi
    add_summary "engines/$label/$engine" "$line"
  done
  # the names of the failed tests, per engine, for the summary
  awk -v l="$label" '/^# === .* ===$/ {e=$3} /^not ok/ {sub(/^not ok [0-9]+ - /, ""); print "engines/" l "/" e ": " $0}' "$log" |
    while read -r t; do echo "FAILED TEST: $t"; done >>"$engine_failures"
  rm -f "$log"
}

if has_stage engines; then
  note "engine tests: docker, podman, containerd and networking against runc, then ch-runc"
  engine_failures=$(mktemp)
  engine_cfg=$(mktemp -d /tmp/ch-runc-engines-cfg.XXXXXX)
  cat >"$engine_cfg/ch-runc.yaml" <<YAML
kernel: $src/build/guest/vmlinux
initramfs: $src/build/guest/initramfs.cpio
YAML
  run_engines runc --runtime "$(command -v runc || echo /usr/sbin/runc)" --name runc
  run_engines ch-runc --runtime "$src/build/bin/ch-runc" --name ch-runc \
    --env "CHRUNC_CONFIG=$engine_cfg/ch-runc.yaml"
  rm -rf "$engine_cfg"
fi

if has_stage sanitizers; then
  note "unit tests under ASan/UBSan"
  if [ -n "$asan_pid" ]; then
    # whatever the background build has not done yet, at full speed (ninja
    # removes the outputs of the commands it was stopped in)
    kill -TERM -- "-$asan_pid" 2>/dev/null
    wait "$asan_pid" 2>/dev/null
    asan_pid=
    rm -f "$asan_log"
  fi
  if BUILD_DIR="$src/build-asan" BUILD_TYPE=Debug ./scripts/build.sh "${asan_configure[@]}"; then
    # Left out under the sanitizers: the container library's tests (its init
    # runs on a clone()d stack that ASan cannot follow and prints warnings into
    # the container's output) and the seccomp tests (their filters deny
    # syscalls the sanitizer runtime makes in the child).
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest sanitizers build-asan \
      -LE "e2e|conformance" -E "^container\.|^Seccomp\." -j "$jobs" --timeout 300
  else
    fail_stage "sanitizer build"
  fi
fi

# Opt-in (about 25 min under TCG): 300 sequential runs, 50 parallel
# create/start/delete, then a census of what the host holds (tests/soak/soak.sh).
if has_stage soak; then
  note "soak: ${SOAK_SEQUENTIAL:-300} sequential runs, ${SOAK_PARALLEL:-50} parallel, then a census"
  soak_log=$(mktemp)
  tests/soak/soak.sh "${SOAK_SEQUENTIAL:-300}" "${SOAK_PARALLEL:-50}" 2>&1 | tee "$soak_log"
  line=$(grep -E '^soak: [0-9]+ passed, [0-9]+ failed' "$soak_log" | tail -1)
  if [ -z "$line" ]; then
    fail_stage "soak (no summary: the script did not finish)"
  else
    add_summary soak "$line"
  fi
  rm -f "$soak_log"
fi

if has_stage tidy; then
  note "clang-tidy"
  files=$(git ls-files 'cmd/*.cpp' 'oci/*.cpp' 'runtime/*.cpp' 'vmm/*.cpp' 'agent/*.cpp' 'netlink/*.cpp' 'common/*.cpp')
  if [ -z "$files" ] || run-clang-tidy -quiet -p build -j "$jobs" $files >/tmp/ch-runc-tidy.log 2>&1; then
    echo "clang-tidy clean"
    passed=$((passed + 1))
  else
    grep -E 'error:|warning:' /tmp/ch-runc-tidy.log | sort -u | head -50
    fail_stage clang-tidy
  fi
fi

if has_stage fuzz; then
  note "fuzzing the config parser (bounded)"
  if [ -x tests/fuzz/run-fuzzer.sh ]; then
    if FUZZ_SECONDS=${FUZZ_SECONDS:-60} tests/fuzz/run-fuzzer.sh "$src/build-fuzz"; then
      passed=$((passed + 1))
    else
      fail_stage fuzz
    fi
  fi
fi

note "summary"
for f in "${failures[@]}"; do echo "FAILED: $f"; done
[ -n "${engine_failures:-}" ] && [ -f "$engine_failures" ] && cat "$engine_failures" && rm -f "$engine_failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
