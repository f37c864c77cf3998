#!/usr/bin/env bash
# End-to-end: behaviours runc users rely on, each compared with runc itself
# on the same bundle where runc is installed (the reference is measured, not
# written down): id limits, a relative --pid-file, kill --all, exec of a
# missing or non-executable program.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
RUNC=$(command -v runc || true)
RUNC_ROOT=$WORK/runc-root
runc_rt() { "$RUNC" --root "$RUNC_ROOT" "$@"; }

case_begin "ids: 1,024 bytes refused, 255 bytes work end to end"
make_bundle "$B" 'sleep 1000'
long=$(printf 'a%.0s' $(seq 1024))
rt create -b "$B" "$long" </dev/null >/dev/null 2>"$WORK/err"; rc=$?
[ "$rc" -ne 0 ] && ok "1,024-byte id refused (exit $rc)" || fail "1,024-byte id accepted"
expect_eq "one-line error" 1 "$(wc -l <"$WORK/err")"
expect_eq "nothing created" "" "$(ls "$ROOT" 2>/dev/null)"
id255=$(printf 'b%.0s' $(seq 255))
rt run -d -b "$B" "$id255" </dev/null >/dev/null 2>"$WORK/err"; rc=$?
expect_eq "run -d with a 255-byte id" 0 "$rc"
expect_eq "state" running "$(state_field "$id255" status)"
expect_eq "exec" hi "$(rt exec "$id255" echo hi </dev/null)"
rt kill "$id255" KILL; expect_eq "kill" 0 $?
for _ in $(seq 100); do [ "$(state_field "$id255" status)" = stopped ] && break; sleep 0.2; done
rt delete "$id255"; expect_eq "delete" 0 $?
leak_check "$id255"
case_end

case_begin "a relative --pid-file is relative to the caller's directory"
make_bundle "$B" 'sleep 1000'
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && rt create -b "$B" --pid-file rel.pid rb-p1 </dev/null >/dev/null 2>&1); rc=$?
expect_eq "create" 0 "$rc"
[ -f "$WORK/cwd/rel.pid" ] && ok "pid file written in the caller's directory" || fail "no $WORK/cwd/rel.pid"
expect_eq "it holds state.pid" "$(state_field rb-p1 pid)" "$(cat "$WORK/cwd/rel.pid" 2>/dev/null)"
rt delete --force rb-p1
leak_check rb-p1
case_end

case_begin "kill --all signals every process of the container"
make_bundle "$B" 'sleep 1001 & sleep 1002 & sleep 1003'
rt run -d -b "$B" rb-k1 </dev/null >/dev/null 2>&1
for _ in $(seq 300); do [ "$(rt ps rb-k1 2>/dev/null | grep -c 'sleep 100')" = 3 ] && break; sleep 0.2; done
expect_eq "three sleeps run" 3 "$(rt ps rb-k1 | grep -c 'sleep 100')"
rt kill --all rb-k1 KILL; expect_eq "kill --all" 0 $?
for _ in $(seq 100); do [ "$(state_field rb-k1 status)" = stopped ] && break; sleep 0.2; done
expect_eq "stopped" stopped "$(state_field rb-k1 status)"
rt delete rb-k1; expect_eq "delete" 0 $?
leak_check rb-k1
case_end

case_begin "exec of a missing and of a non-executable program: runc's exit status"
# The same busybox bundle for both runtimes; /etc/passwd exists and is not executable.
make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" rb-x1 </dev/null >/dev/null 2>&1
rt exec rb-x1 /no/such/program </dev/null >/dev/null 2>"$WORK/err-missing"; ours_missing=$?
rt exec rb-x1 /etc/passwd </dev/null >/dev/null 2>"$WORK/err-noexec"; ours_noexec=$?
[ "$ours_missing" -ne 0 ] && ok "missing program fails (exit $ours_missing): $(tail -1 "$WORK/err-missing")" \
  || fail "exec of a missing program exited 0"
[ "$ours_noexec" -ne 0 ] && ok "non-executable fails (exit $ours_noexec): $(tail -1 "$WORK/err-noexec")" \
  || fail "exec of a non-executable file exited 0"
grep -q "/no/such/program" "$WORK/err-missing" && ok "the message names the program" \
  || fail "message: $(cat "$WORK/err-missing")"
if [ -n "$RUNC" ]; then
  runc_rt run -d -b "$B" rb-x1 </dev/null >/dev/null 2>&1
  runc_rt exec rb-x1 /no/such/program </dev/null >/dev/null 2>/dev/null; runc_missing=$?
  runc_rt exec rb-x1 /etc/passwd </dev/null >/dev/null 2>/dev/null; runc_noexec=$?
  runc_rt delete --force rb-x1 >/dev/null 2>&1
  expect_eq "missing program: runc's exit status" "$runc_missing" "$ours_missing"
  expect_eq "non-executable: runc's exit status" "$runc_noexec" "$ours_noexec"
else
  ok "runc not installed: exit statuses not compared"
fi
rt delete --force rb-x1
leak_check rb-x1
case_end

finish
