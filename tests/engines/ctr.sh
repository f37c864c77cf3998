#!/usr/bin/env bash
# containerd (ctr run --runc-binary RUNTIME) in its own root/state/address.
#   ctr.sh RUNTIME RT_NAME OCI_ARCHIVE
# Prints TAP lines and "ctr: N passed, M failed"; exits non-zero on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
RUNTIME=$1 RT_NAME=$2 OCI_TAR=$3

WORK=$(mktemp -d /tmp/engtest-ctr.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
snapshot_before "$WORK"
NS=engtest$$
cat >"$WORK/config.toml" <<EOF
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$WORK/containerd.sock"
[ttrpc]
  address = "$WORK/containerd-ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$WORK/opt"
EOF
CTR=(/usr/bin/ctr -a "$WORK/containerd.sock" -n "$NS")
E() { timeout -k 10 "$CMD_TIMEOUT" "${CTR[@]}" "$@"; }
E_str() { printf '%q ' "${CTR[@]}"; }
IMG=docker.io/engtest/busybox:latest
# --runc-root keeps the runtime's state in our dir too
RUNC=(--runc-binary "$RUNTIME" --runc-root "$WORK/runc")
cname() { next_name "et$$-c"; }

CPID=
stop_containerd() {
  [ -n "$CPID" ] || return 0
  kill -TERM "$CPID" 2>/dev/null
  local i
  for i in $(seq 80); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$CPID" 2>/dev/null
  wait "$CPID" 2>/dev/null
  CPID=
}
remove_all() {
  local c
  for c in $(E containers ls -q 2>/dev/null); do
    E tasks kill -s SIGKILL "$c" >/dev/null 2>&1
    wait_for 20 task_gone_or_stopped "$c"
    E tasks rm -f "$c" >/dev/null 2>&1
    E containers rm "$c" >/dev/null 2>&1
  done
}
task_gone_or_stopped() { ! E tasks ls 2>/dev/null | grep -E "^$1 " | grep -qv STOPPED; }
cleanup() {
  trap '' INT TERM; trap - EXIT
  if [ -n "$CPID" ]; then
    remove_all
    stop_containerd
  fi
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "$NS"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CPID=$!
if ! wait_for 60 E version; then
  t_result "containerd starts" 1 "$(tail -n 20 "$WORK/containerd.log")"
  t_summary ctr
  exit 1
fi
t_result "containerd starts in its own dirs" 0
if ! out=$(E images import "$OCI_TAR" 2>&1) || ! E images ls -q | grep -qx "$IMG"; then
  t_result "import the busybox image" 1 "$out"
  t_summary ctr
  exit 1
fi

# RUNF ARGS...: ctr run --rm in the foreground (ARGS end with the command)
RUNF() {
  local n
  n=$(cname)
  echo "$n" >>"$IDS"
  E run --rm "${RUNC[@]}" "$@" "$IMG" "$n"
}
RUNF_cmd() { # like RUNF, but the options come before "--" and the command after
  local n opts=()
  n=$(cname)
  echo "$n" >>"$IDS"
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  E run --rm "${RUNC[@]}" "${opts[@]}" "$IMG" "$n" "$@"
}

test_run() {
  local out rc
  out=$(RUNF_cmd -- sh -c 'echo hello; echo err >&2; exit 3' 2>"$WORK/run.err")
  rc=$?
  expect_eq "stdout" "$out" hello || return 1
  expect_match "stderr" "$(cat "$WORK/run.err")" err || return 1
  expect_eq "exit code" $rc 3
}

# Under runc (the reference), busybox's 'stty size' failed in CI runs with
# 'standard input: No child processes'. ctr sets the console's size after the task starts: a process that asks at
# once may see none yet (busybox's stty then fails, errno stale), so the
# size is asked again, bounded; the sleep before the exit lets ctr copy the
# output out before --rm tears the task down (it lost the tail once).
test_run_tty() {
  local n out rc
  n=$(cname)
  echo "$n" >>"$IDS"
  out=$(in_tty "stty rows 33 cols 111; $(E_str) run --rm -t $(printf '%q ' "${RUNC[@]}") $IMG $n sh -c 'tty; for i in 1 2 3 4 5 6 7 8 9 10; do s=\$(stty size 2>/dev/null) && [ \"\$s\" != \"0 0\" ] && break; sleep 0.5; done; echo size \$s; sleep 1; exit 4'")
  rc=$?
  echo "$out"
  expect_eq "exit through the tty" $rc 4 || return 1
  expect_match "tty" "$out" "/dev/(pts/[0-9]+|console)" || return 1
  # Under the reference runc, ctr 1.6's one resize after start was lost in
  # two CI runs in a row (the size stayed 0 0 for 5 s, retries or not):
  # ctr's race, not the runtime's. The size is required of the runtime
  # under test; for runc a missing size is reported, not failed.
  if [ "$RT_NAME" = runc ] && ! grep -q "33 111" <<<"$out"; then
    log "ctr run -t under runc: the size never arrived (ctr's resize race): $out"
    return 0
  fi
  expect_match "size" "$out" "33 111"
}

test_detached_exec_kill() {
  local n out rc
  n=$(cname)
  echo "$n" >>"$IDS"
  E run -d "${RUNC[@]}" "$IMG" "$n" sh -c 'trap "exit 9" TERM; while :; do sleep 0.2; done' >/dev/null ||
    fail "run -d" || return 1
  wait_for 30 sh -c "$(E_str) tasks ls | grep -E '^$n .*RUNNING'" ||
    fail "task not RUNNING after 30 s" || return 1
  out=$(E tasks exec --exec-id e1 "$n" sh -c 'echo exec-out; exit 5')
  rc=$?
  expect_eq "exec output" "$out" exec-out && expect_eq "exec exit" $rc 5 || return 1
  out=$(in_tty "$(E_str) tasks exec -t --exec-id e2 $n sh -c 'tty; exit 6'")
  rc=$?
  expect_eq "exec -t exit" $rc 6 && expect_match "exec -t tty" "$out" "/dev/pts/" || return 1
  out=$(E tasks ps "$n")
  expect_match "tasks ps" "$out" "[0-9]+" || return 1
  E tasks pause "$n" || fail "pause" || return 1
  expect_match "paused" "$(E tasks ls | grep -E "^$n ")" PAUSED || return 1
  E tasks resume "$n" || fail "resume" || return 1
  E tasks kill -s SIGTERM "$n" || fail "kill" || return 1
  wait_for 30 sh -c "$(E_str) tasks ls | grep -E '^$n .*STOPPED'" ||
    fail "task not STOPPED 30 s after SIGTERM" || return 1
  out=$(E tasks rm "$n" 2>&1)
  rc=$?
  E containers rm "$n" >/dev/null
  expect_eq "tasks rm exit [$out]" 0 $rc || return 1
  # ctr 1.6 warns "task ID exit with non-zero exit code N": 9 from the TERM trap
  expect_match "the task's exit status" "$out" "exit code 9\b" || return 1
  ! E containers ls -q | grep -qx "$n" || fail "container still listed"
}

t_run "ctr run --runc-binary: output and exit code" test_run
# (no piped-stdin test: ctr 1.6 does not close the container's stdin at EOF,
# whatever the runtime)
t_run "ctr run -t: tty and its size" test_run_tty
t_run "ctr run -d, tasks exec (plain, -t), ps, pause/resume, kill" test_detached_exec_kill

remove_all
E images rm "$IMG" >/dev/null 2>&1
stop_containerd
record_shim_sockets "$IDS" "$WORK/containerd.sock" "$NS" $(sort -u "$IDS")
sleep 0.5
out=$(check_leftovers "$WORK" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary ctr
