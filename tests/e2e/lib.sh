# Shared by the end-to-end suites: a temporary --root per suite, busybox
# bundles, the ch-runc binary, checks, and the leak check after each case.
# Needs root, QEMU, virtiofsd, busybox-static and the built guest image.
set -u
E2E_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_DIR=$(cd "$E2E_SRC/../.." && pwd)
BIN_DIR=${CHRUNC_BIN_DIR:-$SRC_DIR/build/bin}
GUEST_DIR=${CHRUNC_GUEST_DIR:-$(dirname "$BIN_DIR")/guest}

CHRUNC=$BIN_DIR/ch-runc
[ -x "$CHRUNC" ] || { echo "SKIP: no ch-runc binary in $BIN_DIR"; exit 77; }
[ -f "$GUEST_DIR/vmlinux" ] && [ -f "$GUEST_DIR/initramfs.cpio" ] || { echo "SKIP: no guest image in $GUEST_DIR"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

WORK=$(mktemp -d /tmp/chrunc-e2e-XXXXXX)
ROOT=$WORK/root
export CHRUNC_CONFIG=$WORK/ch-runc.yaml
cat >"$CHRUNC_CONFIG" <<YAML
kernel: $GUEST_DIR/vmlinux
initramfs: $GUEST_DIR/initramfs.cpio
YAML
# CHRUNC_E2E_POOL=N: the suite runs with a warm pool of N standbys
# (docs/warm-pool.md) under $WORK/pool, filled before the first case and
# drained by finish().
if [ -n "${CHRUNC_E2E_POOL:-}" ] && [ "${CHRUNC_E2E_POOL}" != 0 ]; then
  cat >>"$CHRUNC_CONFIG" <<YAML
pool:
  size: $CHRUNC_E2E_POOL
  dir: $WORK/pool
YAML
  "$CHRUNC" pool fill --wait >/dev/null || echo "warning: pool fill failed"
fi
PASSED=0
FAILED=0
CURRENT=""

rt() { "$CHRUNC" --root "$ROOT" "$@"; }

# make_bundle DIR COMMAND... (a shell command line run by sh -c)
make_bundle() {
  local dir=$1
  shift
  "$SRC_DIR/scripts/make-bundle.sh" "$dir" sh -c "$*" >/dev/null
}

# edit_config DIR PYTHON-EXPRESSION-ON-c (e.g. 'c["process"]["terminal"]=True')
edit_config() {
  python3 - "$1/config.json" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
c = json.load(open(path))
exec(code)
json.dump(c, open(path, "w"), indent=2)
PY
}

state_field() { rt state "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"$2\"])"; }

case_begin() {
  CURRENT=$1
  echo "--- $CURRENT"
}
ok() { echo "ok: $CURRENT: $*"; }
fail() {
  echo "NOT OK: $CURRENT: $*"
  FAILED=$((FAILED + 1))
  CASE_FAILED=1
}
expect_eq() { # what expected actual
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}

# Nothing of container ID may be left: state dir, processes, cgroups, mounts, sockets.
leak_check() {
  local id=$1 left
  [ -e "$ROOT/$id" ] && fail "state dir $ROOT/$id left"
  for _ in $(seq 50); do pgrep -f "$ROOT/" >/dev/null || break; sleep 0.1; done
  left=$(pgrep -af "$ROOT/")
  [ $? -le 1 ] || fail "pgrep itself failed: the process check proved nothing"
  [ -n "$left" ] && fail "processes left: $left"
  left=$(ls -d /sys/fs/cgroup/*/"$id" 2>/dev/null || true)
  [ -n "$left" ] && fail "cgroups left: $left"
  grep -q "$WORK" /proc/self/mountinfo && fail "mounts left under $WORK"
  left=$(find "$ROOT" -type s 2>/dev/null || true)
  [ -n "$left" ] && fail "sockets left: $left"
  # the socket directory (runtime/store/socket_dir.hpp) names its state dir
  left=$(grep -lx "$ROOT/$id" /run/ch-runc/*/state-dir 2>/dev/null || true)
  [ -n "$left" ] && fail "socket dir left: ${left%/state-dir}"
  return 0
}

case_end() {
  if [ "${CASE_FAILED:-0}" = 0 ]; then PASSED=$((PASSED + 1)); fi
  CASE_FAILED=0
}

finish() {
  local id
  for id in $(ls "$ROOT" 2>/dev/null); do rt delete --force "$id" >/dev/null 2>&1; done
  if [ -d "$WORK/pool" ]; then
    "$CHRUNC" pool drain >/dev/null || echo "warning: pool drain failed"
  fi
  rm -rf "$WORK"
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
