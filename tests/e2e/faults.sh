#!/usr/bin/env bash
# End-to-end: faults. The VMM or the monitor killed, a failing hook; after
# each, state/delete behave and nothing is left.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle

# The pid of the VMM of container ID: the child of its monitor running qemu.
vmm_pid() {
  local monitor
  monitor=$(state_field "$1" pid)
  pgrep -f "qemu-system.*$ROOT/$1/" | head -1
}

case_begin "VMM killed: state stopped, delete cleans"
make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" f1 </dev/null >/dev/null 2>&1
pid=$(vmm_pid f1)
[ -n "$pid" ] && kill -9 "$pid"
for _ in $(seq 100); do [ "$(state_field f1 status)" = stopped ] && break; sleep 0.2; done
expect_eq "status" stopped "$(state_field f1 status)"
for _ in $(seq 50); do pgrep -f "$ROOT/f1/" >/dev/null || break; sleep 0.1; done
expect_eq "monitor and virtiofsd gone before delete" "" "$(pgrep -af "$ROOT/f1/" || true)"
rt kill f1 KILL 2>"$WORK/err"; expect_eq "kill of the stopped container fails" 1 $?
grep -q "container not running" "$WORK/err" && ok "kill says not running" || fail "kill error: $(cat "$WORK/err")"
rt delete f1; expect_eq "delete" 0 $?
leak_check f1
case_end

case_begin "monitor killed: VMM and virtiofsd die with it, delete cleans"
make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" f2 </dev/null >/dev/null 2>&1
monitor=$(state_field f2 pid)
kill -9 "$monitor"
for _ in $(seq 50); do pgrep -f "$ROOT/f2/" >/dev/null || break; sleep 0.1; done
left=$(pgrep -af "$ROOT/f2/" || true)
expect_eq "no VMM or virtiofsd left" "" "$left"
expect_eq "status" stopped "$(state_field f2 status)"
rt kill f2 KILL 2>/dev/null; expect_eq "kill of the stopped container fails" 1 $?
rt delete f2; expect_eq "delete" 0 $?
leak_check f2
case_end

case_begin "failing prestart hook aborts create and cleans up"
make_bundle "$B" 'true'
edit_config "$B" "c['hooks']={'prestart':[{'path':'/bin/sh','args':['sh','-c','echo hook says no >&2; exit 1']}]}"
rt create -b "$B" f3 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create fails" 1 $?
grep -q "hook says no" "$WORK/err" && ok "error names the hook's output" || fail "error: $(cat "$WORK/err")"
rt state f3 2>/dev/null; expect_eq "no container left" 1 $?
leak_check f3
case_end

case_begin "hooks: state on stdin, poststart and poststop"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "c['hooks']={k:[{'path':'/bin/sh','args':['sh','-c','cat > $WORK/hook-'+k]}] for k in ('createRuntime','prestart','poststart','poststop')}"
rt run -d -b "$B" f4 </dev/null >/dev/null 2>&1
for k in createRuntime prestart poststart; do
  grep -q '"id":"f4"' "$WORK/hook-$k" 2>/dev/null && ok "$k got the state" || fail "$k: $(cat "$WORK/hook-$k" 2>&1)"
done
rt delete --force f4
grep -q '"status":"stopped"' "$WORK/hook-poststop" 2>/dev/null && ok "poststop got the state" || fail "poststop: $(cat "$WORK/hook-poststop" 2>&1)"
leak_check f4
case_end

case_begin "host cgroup at cgroupsPath with the limits"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "c['linux']['cgroupsPath']='/chrunc-e2e/f5'; c['linux']['resources']={'memory':{'limit':536870912},'pids':{'limit':200}}"
rt run -d -b "$B" f5 </dev/null >/dev/null 2>&1
monitor=$(state_field f5 pid)
expect_eq "memory limit on the host" 536870912 "$(cat /sys/fs/cgroup/memory/chrunc-e2e/f5/memory.limit_in_bytes 2>&1)"
expect_eq "pids limit on the host" 200 "$(cat /sys/fs/cgroup/pids/chrunc-e2e/f5/pids.max 2>&1)"
grep -q "memory:/chrunc-e2e/f5" /proc/$monitor/cgroup && ok "monitor in the cgroup" || fail "$(cat /proc/$monitor/cgroup)"
vmm=$(vmm_pid f5)
grep -q "memory:/chrunc-e2e/f5" /proc/$vmm/cgroup && ok "VMM in the cgroup" || fail "VMM cgroup"
[ "$(readlink /proc/$monitor/ns/net)" != "$(readlink /proc/self/ns/net)" ] && ok "new net namespace" || fail "net ns"
[ "$(readlink /proc/$monitor/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] && ok "new pid namespace" || fail "pid ns"
rt delete --force f5
[ -e /sys/fs/cgroup/memory/chrunc-e2e/f5 ] && fail "cgroup left" || ok "cgroup removed"
rmdir /sys/fs/cgroup/*/chrunc-e2e 2>/dev/null
leak_check f5
case_end

finish
