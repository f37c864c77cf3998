#!/usr/bin/env bash
# End-to-end: `ps` with ps options (pids as the guest sees them) and
# `events`: an OOM kill in the container's cgroup shows as runc's
# {"type":"oom"} event; stats at the interval.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle

make_bundle "$B" 'exec sleep 1000'
# The container's cgroup in the guest holds it to 32 MiB (the VM has more).
edit_config "$B" "c['linux']['resources']={'unified':{'memory.max':'33554432'}}"
rt run -d -b "$B" p1 </dev/null >/dev/null 2>"$WORK/err"

case_begin "ps with ps options"
expect_eq "container running" running "$(state_field p1 status)"
out=$(rt ps p1 -- -o pid,args); code=$?
expect_eq "exit code" 0 "$code"
expect_eq "header" "PID COMMAND" "$(echo "$out" | head -1 | tr -s ' ' | sed 's/^ //')"
# The guest's pids (the VM's pid namespace; the container's init is not 1 there).
pid=$(echo "$out" | sed -n 2p | awk '{print $1}')
expect_eq "one process: the init" "$pid sleep 1000" "$(echo "$out" | sed -n '2,$p' | tr -s ' ' | sed 's/^ //')"
out=$(rt ps --format json p1); case $out in \[[0-9]*\]) ok "ps json $out" ;; *) fail "ps json: $out" ;; esac
out=$(rt ps p1 -o pid=,comm=)
expect_eq "no header with field=" "$pid sleep" "$(echo "$out" | tr -s ' ' | sed 's/^ //')"
out=$(rt ps p1 -ef)
echo "$out" | head -1 | grep -q "UID.*PID.*PPID.*CMD" && ok "-ef header" || fail "-ef: $out"
rt ps p1 -o pid,rss 2>"$WORK/err"; expect_eq "unsupported field fails" 1 $?
grep -q 'rss.* is not supported' "$WORK/err" && ok "error names the field" || fail "error: $(cat "$WORK/err")"
case_end

case_begin "events: an OOM kill in the container is an oom event"
timeout 120 "$CHRUNC" --root "$ROOT" events --interval 2s p1 >"$WORK/events" 2>&1 &
events=$!
for _ in $(seq 100); do grep -q '"type":"stats"' "$WORK/events" && break; sleep 0.2; done
grep -q '"type":"stats"' "$WORK/events" && ok "stats event" || fail "no stats: $(cat "$WORK/events")"
timeout 120 "$CHRUNC" --root "$ROOT" exec p1 tail /dev/zero </dev/null; code=$?
expect_eq "tail killed by the OOM killer (SIGKILL)" 137 "$code"
for _ in $(seq 50); do grep -q '"type":"oom"' "$WORK/events" && break; sleep 0.2; done
expect_eq "oom event" '{"type":"oom","id":"p1"}' "$(grep '"type":"oom"' "$WORK/events" | head -1)"
expect_eq "container still running" running "$(state_field p1 status)"
rt kill p1 KILL
for _ in $(seq 100); do kill -0 $events 2>/dev/null || break; sleep 0.2; done
kill -0 $events 2>/dev/null && { fail "events did not end with the container"; kill $events; } || ok "events ended with the container"
case_end

rt delete --force p1
leak_check p1

finish
