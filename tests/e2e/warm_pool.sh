#!/usr/bin/env bash
# End-to-end: the warm pool (docs/warm-pool.md) with real VMs: fill, claim,
# a warm container sees what a cold one sees, concurrent claims, refill,
# reaping a dead standby, drain leaving nothing behind.
. "$(dirname "$0")/lib.sh"

POOL=$WORK/pool
cat >>"$CHRUNC_CONFIG" <<YAML
pool:
  size: 2
  dir: $POOL
YAML
# The same host without a pool: cold boots to compare with.
COLD_CONFIG=$WORK/cold.yaml
grep -v -e '^pool:' -e '^  size:' -e '^  dir:' "$CHRUNC_CONFIG" >"$COLD_CONFIG"

pool() { "$CHRUNC" pool "$@"; }
pool_field() { pool status | sed -n "s/^$1: //p"; }
# warm ID: whether container ID (created, not deleted) took a standby.
warm() { grep -q standby-claimed "$ROOT/$1/timing.log" 2>/dev/null; }
# wait_ready N: until the pool has N ready standbys (hang guard only).
wait_ready() {
  for _ in $(seq 600); do
    [ "$(pool_field ready)" = "$1" ] && [ "$(pool_field booting)" = 0 ] && return 0
    sleep 1
  done
  return 1
}
pool_processes() { pgrep -af -- "--pool $POOL" || true; }
finish_pool() { pool drain >/dev/null 2>&1; }
trap finish_pool EXIT

B=$WORK/bundle
RO=$WORK/ro
mkdir -p "$RO"
echo host-file >"$RO/f"
# What the container sees, minus the clock (compared separately).
make_bundle "$B" 'sort /proc/mounts | sed "s/ [0-9]* [0-9]*\$//"; hostname;
  cat /sys/fs/cgroup/pids.max;
  cat /ro/f; (echo x >/ro/f) 2>/dev/null && echo ro-WRITABLE || echo ro-refused;
  echo "clock $(date +%s)"'
edit_config "$B" 'c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"]}); c["hostname"]="warmpool"; c["linux"].setdefault("resources", {})["pids"]={"limit": 77}; c["mounts"].append({"destination": "/ro", "type": "bind", "source": "'"$RO"'", "options": ["rbind", "ro"]})'

case_begin "fill --wait: the pool holds its size, ready"
out=$(pool fill --wait); code=$?
expect_eq "fill exit code" 0 "$code"
expect_eq "ready" 2 "$(pool_field ready)"
expect_eq "booting" 0 "$(pool_field booting)"
expect_eq "standby processes" 2 "$(pool_processes | grep -c __standby)"
expect_eq "nothing in list" "" "$(rt list -q)"
# Under TCG a standby's translation cache is the pool's (48 MiB), not the
# host's 16: the claim's code must not be flushed while it runs.
qemus=$(pgrep -af -- "$POOL/" | grep qemu-system || true)
expect_eq "standby VMMs" 2 "$(grep -c . <<<"$qemus")"
if pool status | grep -q qemu-tcg; then
  expect_eq "standbys with pool.tcg_translation_cache_mib" 2 \
    "$(grep -c -- "-accel tcg,tb-size=48 " <<<"$qemus")"
fi
case_end

# A limit of 320 MiB sizes the VM as the pool's (256 MiB guest RAM) but its
# host cgroup leaves room for a 16 MiB translation cache, not the standbys'.
if pool status | grep -q qemu-tcg; then
  case_begin "a memory-limited container boots cold under TCG"
  L=$WORK/limited
  make_bundle "$L" true
  edit_config "$L" 'c["linux"].setdefault("resources", {})["memory"]={"limit": 335544320}'
  rt create -b "$L" wp-lim >/dev/null 2>"$WORK/lim.err" </dev/null
  expect_eq "create exit code" 0 "$?"
  warm wp-lim && fail "took a standby" || ok "booted cold"
  expect_eq "ready standbys left" 2 "$(pool_field ready)"
  rt delete -f wp-lim
  leak_check wp-lim
  case_end
fi

case_begin "a warm container sees what a cold one sees"
rt create -b "$B" wp-warm >"$WORK/warm.out" 2>"$WORK/warm.err" </dev/null; code=$?
expect_eq "create exit code" 0 "$code"
warm wp-warm && ok "took a standby" || fail "booted cold: $(cat "$WORK/warm.err")"
expect_eq "state.pid is the monitor" "$(cat /proc/"$(state_field wp-warm pid)"/comm)" ch-runc-monitor
rt start wp-warm
for _ in $(seq 300); do [ "$(state_field wp-warm status)" = stopped ] && break; sleep 0.2; done
host_now=$(date +%s)
rt delete wp-warm
CHRUNC_CONFIG=$COLD_CONFIG rt run -b "$B" wp-cold >"$WORK/cold.out" 2>/dev/null </dev/null
expect_eq "cold run exit code" 0 "$?"
warm_clock=$(sed -n 's/^clock //p' "$WORK/warm.out")
diff <(grep -v '^clock' "$WORK/warm.out") <(grep -v '^clock' "$WORK/cold.out") >"$WORK/diff" &&
  ok "same mounts, hostname, pids limit, read-only bind" || fail "differs: $(cat "$WORK/diff")"
grep -qx warmpool "$WORK/warm.out" && ok "hostname" || fail "hostname: $(cat "$WORK/warm.out")"
grep -qx 77 "$WORK/warm.out" && ok "pids limit" || fail "pids limit missing"
grep -qx ro-refused "$WORK/warm.out" && ok "read-only bind refuses writes" || fail "ro bind writable"
grep -qx host-file "$WORK/warm.out" && ok "bind source content" || fail "bind content missing"
[ -n "$warm_clock" ] && [ $((host_now - warm_clock)) -le 30 ] && [ $((warm_clock - host_now)) -le 30 ] &&
  ok "guest clock $warm_clock near the host's $host_now" || fail "clock [$warm_clock] vs host $host_now"
[ "$(cat "$RO/f")" = host-file ] && ok "host file unchanged" || fail "host file changed"
leak_check wp-warm
leak_check wp-cold
case_end

# thread_nices PID: the distinct nice values of the process's threads.
thread_nices() { ps -L -o ni= -p "$1" 2>/dev/null | tr -d ' ' | sort -u | paste -sd,; }
# standby_pid FILE KEY: the pid a standby record names (vmm, virtiofsd).
standby_pid() { sed -n "s/^$2 \([0-9]*\) .*/\1/p" "$1"; }

case_begin "refill after a claim, booted at a lower CPU priority until claimed"
wait_ready 2 && ok "the pool is back to 2 ready" || fail "no refill: $(pool status)"
# The refill (started by wp-warm's create) gives way to containers; the
# standby `fill` started does not.
refill_vmm="" refill_fsd="" at_zero=0
for f in "$POOL"/ready-*/standby; do
  vmm=$(standby_pid "$f" vmm)
  case "$(thread_nices "$vmm")" in
    10) refill_vmm=$vmm refill_fsd=$(standby_pid "$f" virtiofsd) ;;
    0) at_zero=$((at_zero + 1)) ;;
  esac
done
[ -n "$refill_vmm" ] && ok "the refill's VMM runs at nice 10, every thread" ||
  fail "no VMM at nice 10: $(for f in "$POOL"/ready-*/standby; do thread_nices "$(standby_pid "$f" vmm)"; done)"
expect_eq "the refill's virtiofsd nice" 10 "$(thread_nices "$refill_fsd")"
expect_eq "standbys of fill at nice 0" 1 "$at_zero"
# Two claims take both standbys, the refill among them: it is raised.
make_bundle "$WORK/b1" 'echo claimed'
for i in 1 2; do
  rt create -b "$WORK/b1" "wp-r$i" </dev/null >"$WORK/r$i.out" 2>"$WORK/r$i.err"
  expect_eq "wp-r$i create exit code" 0 "$?"
  warm "wp-r$i" && ok "wp-r$i took a standby" || fail "wp-r$i booted cold: $(cat "$WORK/r$i.err")"
done
expect_eq "the claimed refill's VMM nice, every thread" 0 "$(thread_nices "$refill_vmm")"
expect_eq "the claimed refill's virtiofsd nice" 0 "$(thread_nices "$refill_fsd")"
for i in 1 2; do rt delete --force "wp-r$i"; done
for i in 1 2; do leak_check "wp-r$i"; done
wait_ready 2 && ok "refilled again" || fail "no refill: $(pool status)"
case_end

case_begin "concurrent creates never share a standby"
make_bundle "$WORK/b2" 'echo "hello from $(hostname)"'
pids=()
for i in 1 2 3 4; do
  rt create -b "$WORK/b2" "wp-c$i" </dev/null >"$WORK/c$i.out" 2>"$WORK/c$i.err" &
  pids+=($!)
done
created=0
for p in "${pids[@]}"; do wait "$p" && created=$((created + 1)); done
expect_eq "all created" 4 "$created"
n_warm=0
for i in 1 2 3 4; do warm "wp-c$i" && n_warm=$((n_warm + 1)); done
[ "$n_warm" -ge 1 ] && [ "$n_warm" -le 2 ] && ok "$n_warm warm, $((4 - n_warm)) cold" ||
  fail "$n_warm warm of 4 with 2 standbys"
for i in 1 2 3 4; do rt start "wp-c$i"; done
for i in 1 2 3 4; do
  for _ in $(seq 300); do [ "$(state_field "wp-c$i" status)" = stopped ] && break; sleep 0.2; done
  expect_eq "wp-c$i output" "hello from ch-runc" "$(cat "$WORK/c$i.out")"
done
for i in 1 2 3 4; do rt delete "wp-c$i"; done
for i in 1 2 3 4; do leak_check "wp-c$i"; done
case_end

case_begin "a killed standby is reaped by status"
wait_ready 2 || fail "pool not refilled: $(pool status)"
victim=$(pool status | awk '$1 == "standby" && $3 == "ready" {print $2; exit}')
vpid=$(pool status | awk '$1 == "standby" && $3 == "ready" {print $5; exit}')
vmm=$(standby_pid "$POOL/ready-$victim/standby" vmm)
[ -n "$vpid" ] && [ -n "$vmm" ] && kill -9 "$vpid"
for _ in $(seq 100); do kill -0 "$vmm" 2>/dev/null || break; sleep 0.1; done
reaped=$(pool_field reaped)
expect_eq "reaped" 1 "$reaped"
[ -e "$POOL/ready-$victim" ] || [ -e "$POOL/vm-$victim" ] && fail "its directories stay" || ok "its directories are gone"
kill -0 "$vmm" 2>/dev/null && fail "its VMM $vmm still runs" || ok "its VMM is gone"
case_end

case_begin "drain leaves no process, mount, socket or directory"
pool fill --wait >/dev/null
out=$(pool drain)
expect_eq "drain output" "drained: 2" "$out"
for _ in $(seq 50); do [ -z "$(pool_processes)" ] && break; sleep 0.1; done
expect_eq "processes" "" "$(pool_processes)"
expect_eq "qemu/virtiofsd under the pool" "" "$(pgrep -af -- "$POOL/" || true)"
expect_eq "entries" "drained lock" "$(ls "$POOL" | xargs)"
expect_eq "sockets" "" "$(find "$POOL" -type s)"
grep -q "$POOL" /proc/self/mountinfo && fail "mounts left" || ok "no mount"
expect_eq "ready" 0 "$(pool_field ready)"
case_end

finish
