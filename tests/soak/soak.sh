#!/usr/bin/env bash
# Soak: many container lifecycles, then a census of what the host holds,
# which must be back where it started. Opt-in (long): STAGES=soak
# ./scripts/run-tests.sh, or directly:
#   tests/soak/soak.sh [SEQUENTIAL=300] [PARALLEL=50]
# Every 10th sequential run has a network namespace with a veth (a tap and
# tc redirects on the host side). Prints the census before and after, the
# figures (seconds per run), "soak: N passed, M failed" and exits non-zero on
# any failed run or census difference.
set -uo pipefail
SEQUENTIAL=${1:-300}
PARALLEL=${2:-50}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BIN_DIR=${CHRUNC_BIN_DIR:-$SRC/build/bin}
GUEST_DIR=${CHRUNC_GUEST_DIR:-$SRC/build/guest}
CHRUNC=$BIN_DIR/ch-runc
[ -x "$CHRUNC" ] || { echo "SKIP: no ch-runc in $BIN_DIR"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

WORK=$(mktemp -d /tmp/chrunc-soak-XXXXXX)
ROOT=$WORK/root
export CHRUNC_CONFIG=$WORK/ch-runc.yaml
printf 'kernel: %s/vmlinux\ninitramfs: %s/initramfs.cpio\n' "$GUEST_DIR" "$GUEST_DIR" >"$CHRUNC_CONFIG"
rt() { timeout -k 5 300 "$CHRUNC" --root "$ROOT" "$@"; }
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); echo "NOT OK: $*"; }

"$SRC/scripts/make-bundle.sh" "$WORK/bundle" sh -c 'echo soak' >/dev/null
"$SRC/scripts/make-bundle.sh" "$WORK/idle" sh -c 'sleep 1000' >/dev/null

# The census: what a container of this soak could leave behind on the host,
# scoped to this soak (its state root, ids and files) so that other work on
# the machine does not count; interfaces and namespaces are host-wide.
census() {
  local pids
  pids=$(pgrep -f "$WORK/" || true)
  echo "processes of this soak (monitors, VMMs, virtiofsd, stand-ins): $(echo "$pids" | grep -c . || true)"
  echo "their open fds: $(for p in $pids; do ls /proc/"$p"/fd 2>/dev/null; done | wc -l)"
  echo "mounts under the soak's directory: $(grep -c "$WORK" /proc/self/mountinfo || true)"
  echo "cgroups of soak containers: $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'soak-*' 2>/dev/null | wc -l)"
  echo "host network interfaces: $(ip -o link show | wc -l)"
  echo "network namespaces: $(ip netns list 2>/dev/null | wc -l)"
  echo "sockets under the state root: $(find "$ROOT" -type s 2>/dev/null | wc -l)"
  echo "state root entries: $(ls -A "$ROOT" 2>/dev/null | wc -l)"
  # socket directories (runtime/store/socket_dir.hpp) name their state dir
  echo "socket directories of soak containers: $(grep -l "$WORK/" /run/ch-runc/*/state-dir 2>/dev/null | wc -l)"
  echo "KVM verdicts cached: $(ls /run/ch-runc/kvm-probe 2>/dev/null | wc -l)"
}

# one warm-up run: the KVM verdict cache and the like are made once per host boot
rt run -b "$WORK/bundle" soak-warm >/dev/null 2>&1
census >"$WORK/census.before"

begin=$SECONDS
for i in $(seq "$SEQUENTIAL"); do
  id=soak-s$i
  if ((i % 10 == 0)); then
    ns=soak-ns$i
    ip netns add "$ns"
    ip -n "$ns" link add eth0 type veth peer name peer0
    ip -n "$ns" addr add 10.200.0.2/24 dev eth0
    ip -n "$ns" link set eth0 up
    python3 - "$WORK/bundle/config.json" "$WORK/net.json" "/var/run/netns/$ns" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
c["linux"]["namespaces"].append({"type": "network", "path": sys.argv[3]})
json.dump(c, open(sys.argv[2], "w"))
PY
    mkdir -p "$WORK/netbundle"
    cp "$WORK/net.json" "$WORK/netbundle/config.json"
    ln -sfn "$WORK/bundle/rootfs" "$WORK/netbundle/rootfs"
    out=$(rt run -b "$WORK/netbundle" "$id" </dev/null 2>&1)
    ip netns del "$ns"
  else
    out=$(rt run -b "$WORK/bundle" "$id" </dev/null 2>&1)
  fi
  if [ "$out" = soak ]; then ok; else bad "run $i: $out"; rt delete --force "$id" >/dev/null 2>&1; fi
done
seq_s=$((SECONDS - begin))

begin=$SECONDS
for i in $(seq "$PARALLEL"); do rt create -b "$WORK/idle" "soak-p$i" </dev/null >/dev/null 2>"$WORK/p$i.err" & done
wait
created=$(ls -A "$ROOT" | grep -c '^soak-p' || true)
for i in $(seq "$PARALLEL"); do rt start "soak-p$i" >/dev/null 2>>"$WORK/p$i.err" & done
wait
running=0
for i in $(seq "$PARALLEL"); do
  [ "$(rt state "soak-p$i" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)" = running ] && running=$((running + 1))
done
for i in $(seq "$PARALLEL"); do rt delete --force "soak-p$i" >/dev/null 2>>"$WORK/p$i.err" & done
wait
par_s=$((SECONDS - begin))
[ "$running" = "$PARALLEL" ] && ok || bad "parallel: $created created, $running of $PARALLEL running: $(cat "$WORK"/p*.err | sort | uniq -c | head -5)"

sleep 2
census >"$WORK/census.after"
echo "census before -> after:"
paste -d '|' "$WORK/census.before" "$WORK/census.after" | sed 's/|/  ->  /'
if diff -q "$WORK/census.before" "$WORK/census.after" >/dev/null; then ok; else bad "census differs: $(diff "$WORK/census.before" "$WORK/census.after" | grep '^>' | tr '\n' ' ')"; fi
echo "figures: $SEQUENTIAL sequential runs in $seq_s s ($(python3 -c "print(round($seq_s/$SEQUENTIAL, 2))") s each); $PARALLEL parallel create/start/delete in $par_s s"
rm -rf "$WORK"
echo "soak: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
