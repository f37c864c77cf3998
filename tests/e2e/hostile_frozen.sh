#!/usr/bin/env bash
# End-to-end, hostile guest: a guest that stops answering must not wedge the
# host. The test freezes the VM (SIGSTOP of its VMM on the host), so nothing
# in it answers: `state`, `kill`, `ps`, `update`, `events --stats` each
# return with a clear error naming the cause, the monitor keeps serving, and
# `delete --force` cleans everything. A second container is frozen, then
# thawed (SIGCONT): the deadlines leave a slow-but-alive guest working.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
# The hang guard: far above every deadline (10 s agent calls, 30 s monitor
# answers, delete's 15 s grace); tripping it (exit 124) means a hang.
GUARD=90

# The VMM's pid as the state records it, checked against the qemu process
# whose command line names the container's state dir.
vmm_pid() {
  local recorded found
  recorded=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('vmmPid', ''))" "$ROOT/$1/container.json")
  found=$(pgrep -f "qemu-system.*$ROOT/$1/" | head -1)
  [ -n "$recorded" ] && [ "$recorded" = "$found" ] && echo "$recorded"
}

# guarded NAME ARGS...: runs ch-runc ARGS under the hang guard; sets $code,
# stdout in $WORK/out, stderr in $WORK/err (printed, it is the evidence).
guarded() {
  local name=$1
  shift
  local start=$SECONDS
  timeout -k 5 $GUARD "$CHRUNC" --root "$ROOT" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  code=$?
  echo "  [$name: exit $code after $((SECONDS - start)) s] $(head -c 400 "$WORK/err" | tr '\n' ' ')"
  [ "$code" = 124 ] || [ "$code" = 137 ] && fail "$name: hung (the ${GUARD} s hang guard tripped)"
}

# gone PID: the process is gone (a zombie left for pid 1 to reap counts), within 10 s.
gone() {
  local state
  for _ in $(seq 50); do
    state=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1)
    [ -z "$state" ] || [ "$state" = Z ] && return 0
    sleep 0.2
  done
  return 1
}

# expect_failure NAME PATTERN: the last guarded command failed (not by the
# guard) and its error matches PATTERN (grep -E).
expect_failure() {
  if [ "$code" = 0 ]; then
    fail "$1: succeeded against a frozen guest: $(cat "$WORK/out")"
  elif grep -Eq "$2" "$WORK/err"; then
    ok "$1 fails naming the cause"
  else
    fail "$1: error does not match /$2/: $(cat "$WORK/err")"
  fi
}

case_begin "frozen guest: every command returns with a clear error, delete --force cleans"
make_bundle "$B" 'exec sleep 1000'
rt run -d -b "$B" z1 </dev/null >/dev/null 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
vmm=$(vmm_pid z1)
[ -n "$vmm" ] && ok "VMM pid recorded in the state ($vmm)" || fail "no VMM pid in $(cat "$ROOT/z1/container.json")"
monitor=$(state_field z1 pid)
sockets=$(tr '\0' '\n' </proc/$vmm/cmdline | grep -o '/run/ch-runc/[0-9a-f]*' | head -1)
[ -n "$sockets" ] && [ -d "$sockets" ] && ok "socket dir $sockets" || fail "socket dir not found"
rt ps z1 >/dev/null 2>&1 && ok "ps answers before the freeze" || fail "ps before the freeze"

kill -STOP "$vmm"
# Nothing in the VM runs from here: no vCPU, no virtio-serial, no QMP.
guarded state state z1
expect_eq "state answers" 0 "$code"
expect_eq "state: running (the monitor is alive)" running \
  "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$WORK/out" 2>&1)"

guarded kill kill z1 TERM
expect_failure kill "SignalProcess: the guest did not answer within 10 s"

# The monitor forwards the signals it gets to the guest through its worker:
# its serve loop must stay free to accept. Four signals (distinct: signalfd
# merges repeats) would hold a loop that made the calls itself for 4 x 10 s,
# past the CLI's 30 s, so `ps` would say "its monitor did not answer"
# instead of naming the guest's silence.
for sig in USR1 USR2 HUP ALRM; do kill -$sig "$monitor"; done
guarded ps ps z1
expect_failure ps "ListProcesses: the guest did not answer within 10 s"

guarded update update --pids-limit 100 z1
expect_failure update "UpdateResources: the guest did not answer within 10 s"

guarded events events --stats z1
expect_failure "events --stats" "Stats: the guest did not answer within 10 s"

guarded state state z1
expect_eq "state still answers" 0 "$code"
expect_eq "VMM still frozen" T "$(awk '{print $3}' /proc/$vmm/stat 2>&1)"

guarded "delete --force" delete --force z1
expect_eq "delete --force" 0 "$code"
gone "$vmm" && ok "VMM gone" || fail "VMM $vmm still there"
gone "$monitor" && ok "monitor gone" || fail "monitor $monitor still there"
[ -e "$sockets" ] && fail "socket dir $sockets left" || ok "socket dir removed"
leak_check z1
case_end

case_begin "wedged monitor and frozen guest: deadlines on the control socket, delete kills from the host"
make_bundle "$B" 'exec sleep 1000'
rt run -d -b "$B" z3 </dev/null >/dev/null 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
vmm=$(vmm_pid z3)
[ -n "$vmm" ] && ok "VMM pid $vmm" || fail "no VMM pid"
monitor=$(state_field z3 pid)
kill -STOP "$vmm" "$monitor"
guarded state state z3
expect_eq "state answers" 0 "$code"
guarded kill kill z3 TERM
expect_failure kill "container z3: its monitor did not answer within 30 s"
guarded "delete --force" delete --force z3
expect_eq "delete --force" 0 "$code"
grep -q "its monitor (pid $monitor) did not exit" "$WORK/err" && ok "delete says it killed the monitor" ||
  fail "delete: $(cat "$WORK/err")"
gone "$vmm" && ok "VMM gone" || fail "VMM $vmm still there"
gone "$monitor" && ok "monitor gone" || fail "monitor $monitor still there"
leak_check z3
case_end

case_begin "slow but alive: frozen, then thawed, the guest answers again"
make_bundle "$B" 'exec sleep 1000'
rt run -d -b "$B" z2 </dev/null >/dev/null 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
vmm=$(vmm_pid z2)
[ -n "$vmm" ] && ok "VMM pid $vmm" || fail "no VMM pid"
kill -STOP "$vmm"
guarded ps ps z2
expect_failure "ps while frozen" "ListProcesses: the guest did not answer within 10 s"
kill -CONT "$vmm"
guarded ps ps z2
expect_eq "ps after the thaw" 0 "$code"
grep -q "sleep 1000" "$WORK/out" && ok "ps lists the init" || fail "ps: $(cat "$WORK/out")"
guarded kill kill z2 KILL
expect_eq "kill after the thaw" 0 "$code"
for _ in $(seq 150); do [ "$(state_field z2 status)" = stopped ] && break; sleep 0.2; done
expect_eq "the container stopped" stopped "$(state_field z2 status)"
guarded delete delete z2
expect_eq "delete" 0 "$code"
leak_check z2
case_end

finish
