#!/usr/bin/env bash
# End-to-end: terminals and signals of exec and run in the foreground. A
# resize of the caller's terminal (or, with --console-socket, of the master
# the receiver got) reaches the process's tty; signals sent to the
# foreground ch-runc go to the container's process.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
PTY="python3 $E2E_SRC/pty_run.py"

# wait_for FILE TEXT: until FILE contains TEXT (at most 30 s).
wait_for() {
  for _ in $(seq 150); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

# wait_bounded PID SECONDS: wait for our background job PID; after SECONDS it
# is killed and the result is 124.
wait_bounded() {
  for _ in $(seq $(($2 * 5))); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$1" 2>/dev/null && { kill -KILL "$1"; wait "$1"; return 124; }
  wait "$1"
}

# Inside: prints its tty and size, READY, then waits (bounded) for the size to become $1.
waiter() {
  echo "tty; stty size; echo READY; for i in \$(seq 150); do [ \"\$(stty size)\" = \"$1\" ] && { echo RESIZED \$(stty size); exit 4; }; sleep 0.1; done; exit 1"
}

make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" t1 </dev/null >/dev/null 2>&1
expect_eq "container running" running "$(state_field t1 status)"

case_begin "exec -t in the foreground: the caller's terminal size, then a resize"
$PTY --size 24x80 --resize-on READY 40x100 --timeout 90 -- "$CHRUNC" --root "$ROOT" exec -t t1 sh -c "$(waiter '40 100')" >"$WORK/out" 2>&1
code=$?
expect_eq "exit code" 4 "$code"
grep -q '/dev/pts/' "$WORK/out" && ok "a tty inside" || fail "no tty: $(cat "$WORK/out")"
grep -q '^24 80' "$WORK/out" && ok "initial size 24 80" || fail "size: $(cat "$WORK/out")"
grep -q 'RESIZED 40 100' "$WORK/out" && ok "resize seen inside" || fail "resize: $(cat "$WORK/out")"
case_end

case_begin "exec -d -t with a console socket: a tty, resized by the receiver; signals to the relay"
python3 "$E2E_SRC/console_receiver.py" "$WORK/console.sock" --resize-on READY 30x90 >"$WORK/tty-out" &
recv=$!
for _ in $(seq 50); do [ -S "$WORK/console.sock" ] && break; sleep 0.1; done
timeout 60 "$CHRUNC" --root "$ROOT" exec -d -t --console-socket "$WORK/console.sock" --pid-file "$WORK/epid" \
  t1 sh -c "$(waiter '30 90')" </dev/null
expect_eq "exec -d exit code" 0 $?
for _ in $(seq 300); do kill -0 $recv 2>/dev/null || break; sleep 0.2; done
kill $recv 2>/dev/null
grep -q '/dev/pts/' "$WORK/tty-out" && ok "a tty inside" || fail "no tty: $(cat "$WORK/tty-out")"
grep -q 'RESIZED 30 90' "$WORK/tty-out" && ok "resize by the receiver seen inside" || fail "resize: $(cat "$WORK/tty-out")"
rm -f "$WORK/console.sock"
# The relay in --pid-file stands for the process: a signal to it reaches the process.
timeout 60 "$CHRUNC" --root "$ROOT" exec -d --pid-file "$WORK/epid2" t1 sh -c 'trap "echo got-term > /tmp/relay; exit 0" TERM; while :; do sleep 0.1; done' </dev/null
relay=$(cat "$WORK/epid2")
sleep 1
kill -TERM "$relay"
for _ in $(seq 150); do kill -0 "$relay" 2>/dev/null || break; sleep 0.2; done
kill -0 "$relay" 2>/dev/null && fail "relay still there" || ok "relay exited"
expect_eq "the process got SIGTERM" got-term "$(timeout 60 "$CHRUNC" --root "$ROOT" exec t1 cat /tmp/relay </dev/null)"
case_end

case_begin "signals to the foreground exec reach the process"
"$CHRUNC" --root "$ROOT" exec t1 sh -c 'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done' </dev/null >"$WORK/out" 2>&1 &
runner=$!
wait_for "$WORK/out" ready && ok "process up" || fail "no ready: $(cat "$WORK/out")"
kill -USR1 $runner
wait_for "$WORK/out" "got USR1" && ok "SIGUSR1 trapped inside" || fail "no trap: $(cat "$WORK/out")"
kill -TERM $runner
wait_bounded $runner 30
expect_eq "killed by SIGTERM: 143" 143 $?
# ps itself must work, or the absence below would prove nothing
if ! out=$(rt ps t1 2>&1); then fail "ps failed: $out"
elif grep -q 'while' <<<"$out"; then fail "process still there: $out"
else ok "process gone"; fi
case_end

case_begin "the foreground exec killed: its process goes too"
"$CHRUNC" --root "$ROOT" exec t1 sh -c 'echo ready; exec sleep 777' </dev/null >"$WORK/out" 2>&1 &
runner=$!
wait_for "$WORK/out" ready && ok "process up" || fail "no ready"
kill -KILL $runner
wait $runner 2>/dev/null
gone=no
for _ in $(seq 50); do
  out=$(rt ps t1 2>&1) || { gone="ps failed: $out"; break; }
  grep -q 'sleep 777' <<<"$out" || { gone=yes; break; }
  sleep 0.2
done
expect_eq "sleep 777 gone" yes "$gone"
case_end

rt delete --force t1
leak_check t1

case_begin "signals to the foreground run reach the container's init"
make_bundle "$B" 'trap "echo got USR1" USR1; trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
"$CHRUNC" --root "$ROOT" run -b "$B" t2 </dev/null >"$WORK/out" 2>&1 &
runner=$!
wait_for "$WORK/out" ready && ok "container up" || fail "no ready: $(cat "$WORK/out")"
kill -USR1 $runner
wait_for "$WORK/out" "got USR1" && ok "SIGUSR1 trapped inside" || fail "no USR1: $(cat "$WORK/out")"
kill -TERM $runner
wait_bounded $runner 60
expect_eq "exit code of the TERM trap" 7 $?
grep -q "got TERM" "$WORK/out" && ok "SIGTERM trapped inside" || fail "no TERM: $(cat "$WORK/out")"
leak_check t2
case_end

case_begin "run -t in the foreground: the caller's terminal size, then a resize"
make_bundle "$B" "$(waiter '50 120')"
edit_config "$B" "c['process']['terminal']=True"
$PTY --size 24x80 --resize-on READY 50x120 --timeout 120 -- "$CHRUNC" --root "$ROOT" run -b "$B" t3 >"$WORK/out" 2>&1
expect_eq "exit code" 4 $?
grep -q '^24 80' "$WORK/out" && ok "initial size 24 80" || fail "size: $(cat "$WORK/out")"
grep -q 'RESIZED 50 120' "$WORK/out" && ok "resize seen inside" || fail "resize: $(cat "$WORK/out")"
leak_check t3
case_end

finish
