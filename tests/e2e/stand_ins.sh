#!/usr/bin/env bash
# End-to-end: the host stand-ins of the guest's processes (runtime/relays/stand_ins.hpp):
# `ps --format json` lists host pids whose command line is the guest
# process's (what docker top shows), running as the host's unprivileged
# stand_in_user whatever the guest's uid; an exec shows up and goes away; signals
# sent to a stand-in reach its guest process, SIGKILL included; the monitor
# sees its own procfs (podman top); nothing is left after delete, also when
# the monitor shares the host's pid namespace and is killed.
. "$(dirname "$0")/lib.sh"

HELPER=$BIN_DIR/ch-runc-standin

# The host pids of the live stand-ins (this build's helper) whose command
# line is $1 (arguments joined with spaces).
stand_ins_of() {
  local exe pid
  for exe in /proc/[0-9]*/exe; do
    [ "$(readlink "$exe" 2>/dev/null)" = "$HELPER" ] || continue
    pid=${exe#/proc/}
    pid=${pid%/exe}
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | sed 's/ $//')" = "$1" ] && echo "$pid"
  done
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
  local n=$(($1 * 5))
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
  return 1
}
has_stand_in() { [ -n "$(stand_ins_of "$1")" ]; }
no_stand_in() { [ -z "$(stand_ins_of "$1")" ]; }
guest_lists() { rt ps s1 -o args= | grep -qx "$1"; }
guest_lacks() { local out; out=$(rt ps s1 -o args=) && ! grep -qx "$1" <<<"$out"; } # ps must work
out_has() { grep -q "$1" "$WORK/out"; }
is_stopped() { [ "$(state_field "$1" status)" = stopped ]; }

B=$WORK/bundle
make_bundle "$B" 'trap "echo got-usr1" USR1; while :; do sleep 301 & wait $!; done'
edit_config "$B" "c['process']['user']={'uid':1000,'gid':1001}"
rt run -d -b "$B" s1 </dev/null >"$WORK/out" 2>"$WORK/err"

case_begin "ps --format json lists the guest's processes as host stand-ins"
expect_eq "container running" running "$(state_field s1 status)"
# The guest's own name for its `sleep 301` (busybox's sh may run it as "exe",
# through /proc/self/exe), read in the guest.
guest_comm=""
read_guest_comm() {
  guest_comm=$(rt exec s1 sh -c 'for p in /proc/[0-9]*; do [ "$(tr "\0" " " <$p/cmdline)" = "sleep 301 " ] && cat $p/comm; done' </dev/null | head -1)
  [ -n "$guest_comm" ]
}
wait_for 15 read_guest_comm || fail "the guest shows no 'sleep 301'"
# Its stand-in follows the guest at the process watch's next look (the
# shell's child is a fork of it first): the pid, command line, name and
# executable are read together, once they say the same.
found="" comm="" exe=""
find_sleep_301() {
  local pid
  json=$(rt ps --format json s1) || return 1
  for pid in $(echo "$json" | tr -d '[]' | tr ',' ' '); do
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" = "sleep 301 " ] || continue
    found=$pid
    comm=$(cat "/proc/$pid/comm" 2>/dev/null)
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
    [ "$comm" = "$guest_comm" ] && [ -n "$exe" ] && return 0
  done
  return 1
}
wait_for 15 find_sleep_301
[ -n "$found" ] && ok "pid $found of $json is 'sleep 301'" || fail "no 'sleep 301' among $json"
if [ -n "$found" ]; then
  expect_eq "its uid and gid are the host's stand_in_user (nobody), not the guest's" \
    "$(id -u nobody) $(id -g nobody)" "$(stat -c '%u %g' "/proc/$found")"
  expect_eq "the guest's uid shows in ch-runc ps" "1000" "$(rt ps s1 -o uid=,args= | awk '$2 == "sleep" && $3 == 301 { print $1 }' | head -1)"
  expect_eq "its name is the guest's" "$guest_comm" "$comm"
  expect_eq "it is the build's helper" "$HELPER" "$exe"
fi
monitor=$(state_field s1 pid)
expect_eq "pid 1 of the monitor's /proc is the monitor" 1 \
  "$(nsenter -t "$monitor" -m cat /proc/1/cmdline | tr '\0' ' ' | grep -c __monitor)"
n=$(nsenter -t "$monitor" -m sh -c 'ls -d /proc/[0-9]*' | wc -l) # 0 when nsenter fails
[ "$n" -gt 0 ] && [ "$n" -lt 20 ] &&
  ok "only the container's host processes in the monitor's /proc" ||
  fail "the monitor's /proc lists $(nsenter -t "$monitor" -m sh -c 'ls -d /proc/[0-9]*' | wc -l) processes"
nsenter -t "$monitor" -m sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "' | grep -q "sleep 301" &&
  ok "the stand-in is in the monitor's /proc (podman top)" || fail "no 'sleep 301' in the monitor's /proc"
grep -q __monitor /proc/1/cmdline # 1: read, no match; 2: the probe failed
[ $? = 1 ] && ok "the host's /proc is the host's" || fail "the host's /proc changed (or is unreadable)"
case_end

case_begin "an exec shows up; SIGKILL to its stand-in kills it in the guest"
timeout 60 "$CHRUNC" --root "$ROOT" exec -d s1 sleep 302 </dev/null >/dev/null 2>>"$WORK/err"
expect_eq "exec -d exit code" 0 $?
wait_for 15 has_stand_in "sleep 302" && ok "stand-in of the exec within 15 s" || fail "no stand-in for 'sleep 302'"
pid=$(stand_ins_of "sleep 302" | head -1)
guest_lists "sleep 302" && ok "the guest runs it" || fail "guest ps: $(rt ps s1 -o args=)"
[ -n "$pid" ] && kill -9 "$pid"
wait_for 15 guest_lacks "sleep 302" && ok "kill -9 of the stand-in ended it in the guest" ||
  fail "still in the guest: $(rt ps s1 -o pid,args)"
wait_for 15 no_stand_in "sleep 302" && ok "its stand-in is gone" || fail "stand-in left: $(stand_ins_of "sleep 302")"
case_end

case_begin "a signal to a stand-in reaches the guest process"
pid=$(stand_ins_of "sh -c trap \"echo got-usr1\" USR1; while :; do sleep 301 & wait \$!; done" | head -1)
[ -n "$pid" ] && ok "the init's stand-in $pid" || fail "no stand-in for the init"
[ -n "$pid" ] && kill -USR1 "$pid"
wait_for 15 out_has got-usr1 && ok "the guest's trap ran" || fail "no trap output: $(cat "$WORK/out")"
expect_eq "still running" running "$(state_field s1 status)"
case_end

case_begin "all gone after kill and delete"
sleeping=$(stand_ins_of "sleep 301")
rt kill s1 KILL
wait_for 30 is_stopped s1
expect_eq "stopped" stopped "$(state_field s1 status)"
no_stand_in "sleep 301" && ok "no stand-in once stopped" || fail "stand-ins left: $(stand_ins_of "sleep 301")"
rt delete s1
for p in $sleeping; do kill -0 "$p" 2>/dev/null && fail "stand-in $p left"; done
leak_check s1
case_end

case_begin "host pid namespace: the stand-ins end when the monitor is killed"
B2=$WORK/bundle2
make_bundle "$B2" 'exec sleep 303'
edit_config "$B2" "c['linux']['namespaces']=[n for n in c['linux']['namespaces'] if n['type']!='pid']"
rt run -d -b "$B2" s2 </dev/null >/dev/null 2>>"$WORK/err"
expect_eq "container running" running "$(state_field s2 status)"
rt ps --format json s2 >/dev/null
# The init starts as `sh -c 'exec sleep 303'`; its stand-in follows the exec
# at the guest process watch's next look.
wait_for 15 has_stand_in "sleep 303"
pid=$(stand_ins_of "sleep 303" | head -1)
[ -n "$pid" ] && ok "stand-in $pid" || fail "no stand-in for 'sleep 303'"
monitor=$(state_field s2 pid)
expect_eq "the monitor is in the host's pid namespace" "$(readlink /proc/self/ns/pid)" \
  "$(readlink "/proc/$monitor/ns/pid")"
kill -9 "$monitor"
wait_for 15 no_stand_in "sleep 303" && ok "the stand-in exited with the monitor" ||
  fail "stand-in left: $(stand_ins_of "sleep 303")"
rt delete --force s2 2>>"$WORK/err"
leak_check s2
case_end

finish
