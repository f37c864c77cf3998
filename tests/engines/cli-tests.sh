# The daily commands of docker and podman (sourced by docker.sh / podman.sh).
# Needs: function E (the engine CLI with its flags), ENGINE (docker|podman),
# RUNOPT (the `run` flags choosing the runtime, e.g. --runtime NAME; podman
# takes it as a global flag instead), IMG, WORK, IDS (file of
# container names and ids, for the leftover check), SECCOMP (profile file).
#
# Every container is a VM boot under ch-runc, so checks that can share a
# container do: three foreground runs carry many flags each and print one
# KEY=VALUE line per behaviour (shared_run), one detached container serves
# the logs/exec/kill/pause/update/top/stats/etc-files/volume/rm tests
# (SVC). Each behaviour stays a test of its own that reads its own lines, so
# a failure names what broke. Checks that need a container of their own keep
# one: the negative cases, stop/restart, the tty, piped stdin.

NET=(--network none)
cname() { next_name "et$$-"; }

track() { # NAME: remember the name and the full id of a container
  echo "$1" >>"$IDS"
  E inspect -f '{{.Id}}' "$1" >>"$IDS" 2>/dev/null || true
}

# R ARGS...: `run` in the foreground, prints output, returns the exit code;
# the container is removed afterwards (not with --rm: its id is recorded).
R() {
  local n rc
  n=$(cname)
  E run --name "$n" "${RUNOPT[@]}" "${NET[@]}" "$@"
  rc=$?
  track "$n"
  E rm -f "$n" >/dev/null 2>&1
  return $rc
}

# D NAME ARGS...: `run -d`, waits until it runs.
D() {
  local n=$1
  shift
  E run -d --name "$n" "${RUNOPT[@]}" "${NET[@]}" "$@" >/dev/null || return 1
  track "$n"
  wait_for 60 is_running "$n"
}
is_running() { [ "$(E inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
status_of() { E inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
rmf() { E rm -f "$@" >/dev/null 2>&1; }
logs_have() { E logs "$1" 2>&1 | grep -q -- "$2"; }

# selected FUNCTION...: whether ENGTEST_ONLY (if set) picks any of them.
selected() {
  [ -z "${ENGTEST_ONLY:-}" ] && return 0
  local f
  for f; do [[ $f =~ $ENGTEST_ONLY ]] && return 0; done
  return 1
}

# --- shared foreground runs ---------------------------------------------------
# shared_run KEY ARGS...: `R ARGS...` once; stdout, stderr and the exit code
# go to $WORK/shared/KEY.{out,err,rc} for the tests that read them.
shared_run() {
  local key=$1
  shift
  mkdir -p "$WORK/shared"
  R "$@" >"$WORK/shared/$key.out" 2>"$WORK/shared/$key.err"
  echo $? >"$WORK/shared/$key.rc"
}
# val KEY NAME: the value of the line NAME=... the run KEY printed.
val() { sed -n "s/^$2=//p" "$WORK/shared/$1.out" 2>/dev/null | head -n 1; }
# shown KEY: the run's output, for a failure's diagnostics.
shown() {
  echo "--- $1: exit $(cat "$WORK/shared/$1.rc" 2>/dev/null), stdout:"
  cat "$WORK/shared/$1.out" 2>/dev/null
  echo "--- stderr:"
  cat "$WORK/shared/$1.err" 2>/dev/null
}

# As a user: output, stderr, the exit code, --user, -e, --workdir, --ulimit.
USER_FLAGS=(--user 1000:1001 -e FOO=bar -e "SPACED=a b" --workdir /usr/sbin
  --ulimit nofile=1234:2345 --ulimit nproc=2000:3000)
USER_SCRIPT=$(cat <<'EOF'
echo hello
echo to-stderr >&2
echo "ids=$(id -u) $(id -g)"
echo "env=$FOO|$SPACED"
echo "pwd=$(pwd)"
echo "ulimits=$(ulimit -Sn) $(ulimit -Hn) $(ulimit -Su) $(ulimit -Hu)"
exit 3
EOF
)

# As root with the default capabilities and seccomp profile: --read-only
# with a tmpfs /tmp, --tmpfs with a size, --sysctl, --oom-score-adj,
# --shm-size, masked paths, a 64 MiB memory limit, and (docker) --init.
ROOT_FLAGS=(--read-only --tmpfs /tmp --tmpfs /scratch:size=1m --sysctl net.ipv4.ip_forward=1
  --oom-score-adj 300 --shm-size 8m --memory 64m)
ROOT_SCRIPT=$(cat <<'EOF'
echo "chown=$(chown 1:1 /tmp 2>&1 && echo ok)"
echo "capeff=$(grep CapEff /proc/self/status | awk '{print $2}')"
echo "mkdir=$(mkdir /tmp/d 2>&1 && echo ok)"
echo "rootwrite=$(touch /x 2>&1 && echo succeeded)"
echo "tmpwrite=$(touch /tmp/x 2>&1 && echo ok)"
echo "scratchmount=$(grep ' /scratch ' /proc/mounts)"
echo "scratchwrite=$(echo x > /scratch/f && cat /scratch/f)"
echo "extras=$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/self/oom_score_adj) $(dd if=/dev/zero of=/dev/shm/fill bs=1M count=9 2>/dev/null && echo 9MiB-fit || echo 8MiB-held) $(stat -c '%F %t,%T' /proc/keys) $(ls /sys/firmware | wc -l)"
echo "memlimit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
echo "pid1=$(cat /proc/1/comm)"
echo "self=$$"
EOF
)

# As root with capabilities changed and a seccomp profile that denies mkdir.
RESTRICTED_SCRIPT=$(cat <<'EOF'
echo "chown=$(chown 1:1 /tmp 2>&1 && echo succeeded)"
echo "capeff=$(grep CapEff /proc/self/status | awk '{print $2}')"
echo "mkdir=$(mkdir /tmp/d 2>&1 && echo succeeded)"
echo "touch=$(touch /tmp/f 2>&1 && echo ok)"
EOF
)

test_run_output_exit() {
  local out rc
  out=$(cat "$WORK/shared/user.out")
  expect_eq "exit code" "$(cat "$WORK/shared/user.rc")" 3 || { shown user; return 1; }
  expect_eq "first line of stdout" "$(head -n 1 <<<"$out")" hello || { shown user; return 1; }
  # nothing else on stdout than what the script printed
  ! tail -n +2 <<<"$out" | grep -vE '^[a-z]+=' || fail "stray stdout lines" || { shown user; return 1; }
  expect_match "stderr" "$(cat "$WORK/shared/user.err")" "to-stderr" || { shown user; return 1; }
  R "$IMG" /no/such/binary >/dev/null 2>&1
  rc=$?
  [ $rc -eq 127 ] || [ $rc -eq 126 ] || fail "missing binary: exit $rc, want 127 (or 126)"
}

test_run_stdin() {
  local out rc
  # cat ends only at EOF: the piped bytes and the end of input both arrive
  out=$(printf 'one\ntwo\nthree' | R -i "$IMG" sh -c 'cat; exit 4')
  rc=$?
  expect_eq "cat" "$out" "$(printf 'one\ntwo\nthree')" && expect_eq "exit" $rc 4
}

test_run_tty_resize() {
  local n out rc
  n=$(cname)
  echo "$n" >>"$IDS"
  # The container prints its size (once the engine has set one: docker sets it
  # just after the start), waits (bounded) for the change and prints the new
  # one; a background job resizes the pty once the container is running.
  out=$(in_tty "stty rows 30 cols 100; \
    ( for i in \$(seq 240); do [ \"\$($(E_str) inspect -f '{{.State.Running}}' $n 2>/dev/null)\" = true ] && break; sleep 0.25; done; \
      sleep 1; stty rows 40 cols 120 </dev/tty ) & \
    $(E_str) run -t --name $n ${RUNOPT[*]} --network none $IMG sh -c 'tty; i=0; \
      while ! stty size >/dev/null 2>&1 && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done; stty size; i=0; \
      while [ \"\$(stty size 2>/dev/null)\" != \"40 120\" ] && [ \$i -lt 150 ]; do sleep 0.2; i=\$((i+1)); done; stty size; exit 6'")
  rc=$?
  track "$n"
  rmf "$n"
  echo "$out"
  expect_eq "exit code through the tty" $rc 6 || return 1
  expect_match "tty" "$out" "/dev/(pts/[0-9]+|console)" || return 1
  if [ "$ENGINE" = docker ] && ! grep -q "30 100" <<<"$out"; then
    # docker's CLI sets the first size right after start and gives up after
    # 5 tries within about 50 ms; on a loaded machine that can all fall before
    # the engine counts the container as running (seen with runc too). The
    # resize below then is the first size the container gets.
    echo "# docker's initial tty size did not arrive (docker CLI start/resize race)"
  else
    expect_match "initial size" "$out" "30 100" || return 1
  fi
  expect_match "size after resize" "$out" "40 120"
}

# --- the shared detached container --------------------------------------------
# It logs to stdout and stderr, traps USR1, holds 4 MB of memory, keeps a
# `sleep 301` (for top) and ticks every 0.2 s (for pause); $WORK/vol is its
# /data.
SVC_SCRIPT=$(cat <<'EOF'
trap "echo got-usr1" USR1
echo out-line
echo err-line >&2
x=$(head -c 4000000 /dev/zero | tr "\0" a)
while :; do sleep 301; done &
while :; do echo tick; sleep 0.2; done
EOF
)
svc_start() {
  local n
  n=$(cname)
  echo "$n" >"$WORK/svc.name"
  mkdir -p "$WORK/vol"
  echo from-host >"$WORK/vol/in"
  D "$n" -v "$WORK/vol:/data" "$IMG" sh -c "$SVC_SCRIPT" >"$WORK/svc.start" 2>&1
}
# svc: the shared container's name; fails when it does not run.
svc() {
  local n
  n=$(cat "$WORK/svc.name" 2>/dev/null)
  [ -n "$n" ] && is_running "$n" || { echo "FAIL: the shared container ($n) is not running: $(cat "$WORK/svc.start" 2>/dev/null)"; return 1; }
  echo "$n"
}

test_run_detach_logs() {
  local n out
  n=$(svc) || return 1
  wait_for 30 logs_have "$n" err-line
  out=$(E logs "$n" 2>&1)
  expect_match "logs stdout" "$out" "out-line" && expect_match "logs stderr" "$out" "err-line"
}

test_exec() {
  local n out rc
  n=$(svc) || return 1
  out=$(E exec "$n" echo exec-out) || { fail "exec exit $?"; return 1; }
  expect_eq "exec output" "$out" exec-out || return 1
  E exec "$n" sh -c 'exit 7'
  rc=$?
  expect_eq "exec exit code" $rc 7 || return 1
  out=$(printf 'piped' | E exec -i "$n" sh -c 'cat; exit 2')
  rc=$?
  expect_eq "exec -i output" "$out" piped && expect_eq "exec -i exit" $rc 2 || return 1
  out=$(in_tty "$(E_str) exec -t $n sh -c 'tty; stty size; exit 5'")
  rc=$?
  echo "$out"
  expect_eq "exec -t exit" $rc 5 && expect_match "exec -t tty" "$out" "/dev/pts/" || return 1
  E exec -d "$n" sh -c 'sleep 1; echo detached > /tmp/exec-d' || { fail "exec -d exit $?"; return 1; }
  wait_for 30 E exec "$n" test -f /tmp/exec-d
  out=$(E exec "$n" cat /tmp/exec-d)
  expect_eq "exec -d result" "$out" detached
}

test_kill_usr1() {
  local n logs running
  n=$(svc) || return 1
  E kill -s USR1 "$n" >/dev/null || { fail "kill failed"; return 1; }
  wait_for 30 logs_have "$n" got-usr1
  logs=$(E logs "$n" 2>&1)
  is_running "$n" && running=yes || running=no
  expect_match "trap ran" "$logs" got-usr1 && expect_eq "still running" $running yes
}

# prints "memory-limit cpu-quota cpu-period" as seen inside (cgroup v1 or v2)
CG_READ='if [ -f /sys/fs/cgroup/memory.max ]; then echo $(cat /sys/fs/cgroup/memory.max) $(cat /sys/fs/cgroup/cpu.max); else echo $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us); fi'

test_update() {
  local n out
  n=$(svc) || return 1
  E update --memory 64m --memory-swap 128m --cpus 0.5 "$n" >/dev/null || { fail "update failed"; return 1; }
  out=$(E exec "$n" sh -c "$CG_READ")
  echo "inside: $out"
  expect_match "memory limit and cpu quota inside" "$out" "^67108864 50000 100000$"
}

test_top() {
  local n out rc
  n=$(svc) || return 1
  out=$(E top "$n" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] || fail "top exit $rc" || return 1
  expect_match "top lists the process" "$out" "sleep 301"
}

test_stats() {
  local n out rc
  n=$(svc) || return 1
  out=$(E stats --no-stream --format '{{.MemUsage}}' "$n" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] || fail "stats exit $rc" || return 1
  expect_match "memory usage" "$out" "^[0-9.]+[kKMG]i?B" || return 1
  ! printf '%s' "$out" | grep -qE '^0(\.0+)?[kKMG]?i?B' || fail "memory usage is zero"
}

# /etc/hosts, /etc/hostname and /etc/resolv.conf are files the engine keeps
# on the host and binds in: a change the host makes later is seen inside.
test_etc_files_live() {
  local n hp out hn hosts
  n=$(svc) || return 1
  hp=$(E inspect -f '{{.HostsPath}}' "$n")
  [ -f "$hp" ] || { fail "no hosts file on the host ($hp)"; return 1; }
  hn=$(E inspect -f '{{.Config.Hostname}}' "$n")
  # resolv.conf: when the engine made one (podman makes none with --network none)
  local rp want_resolv=""
  rp=$(E inspect -f '{{.ResolvConfPath}}' "$n" 2>/dev/null)
  [ -n "$rp" ] && [ -f "$rp" ] && want_resolv=" resolv-ok"
  out=$(E exec "$n" sh -c 'echo "$(cat /etc/hostname)"; hostname; [ -z "$1" ] || { test -f /etc/resolv.conf && echo resolv-ok; }' sh "$want_resolv")
  # appended in place: the file keeps its inode, as an engine's own update does
  echo "10.9.8.7 engtest-live-host" >>"$hp"
  wait_for 20 E exec "$n" grep -q engtest-live-host /etc/hosts
  hosts=$(E exec "$n" cat /etc/hosts)
  echo "$out"
  expect_eq "hostname file, hostname, resolv.conf" "$(echo $out)" "$hn $hn$want_resolv" || return 1
  expect_match "host-side change seen inside" "$hosts" "10.9.8.7 engtest-live-host"
}

test_volume() {
  local d="$WORK/vol" n out
  n=$(svc) || return 1
  out=$(E exec "$n" sh -c 'cat /data/in; echo from-container > /data/out') || return 1
  expect_eq "container reads host file" "$out" from-host || return 1
  expect_eq "host reads container file" "$(cat "$d/out" 2>/dev/null)" from-container || return 1
  # a file the host writes while the container runs is seen, and the answer too
  echo late-host >"$d/late"
  E exec "$n" sh -c 'cat /data/late > /data/ack' || return 1
  expect_eq "live host->container->host" "$(cat "$d/ack" 2>/dev/null)" late-host
}

test_pause_unpause() {
  local n a b c st st2
  n=$(svc) || return 1
  E pause "$n" >/dev/null || { fail "pause failed"; return 1; }
  st=$(status_of "$n")
  sleep 1
  a=$(E logs "$n" 2>&1 | wc -l)
  sleep 2
  b=$(E logs "$n" 2>&1 | wc -l)
  # the container is shared: it is resumed whatever the checks above saw
  E unpause "$n" >/dev/null || { fail "unpause failed"; return 1; }
  st2=$(status_of "$n")
  wait_for 20 test "$(E logs "$n" 2>&1 | wc -l)" -gt "$b"
  c=$(E logs "$n" 2>&1 | wc -l)
  expect_eq "status when paused" "$st" paused || return 1
  expect_eq "no output while paused" "$b" "$a" || return 1
  expect_eq "status after unpause" "$st2" running || return 1
  [ "$c" -gt "$b" ] || fail "no output after unpause"
}

# the end of the shared container
test_rm_force_running() {
  local n
  n=$(svc) || return 1
  E rm -f "$n" >/dev/null || fail "rm -f exit $?" || return 1
  ! E inspect "$n" >/dev/null 2>&1 || fail "container still exists"
}

# --- containers of their own -----------------------------------------------------
# stop_with ACTION SECONDS: a container whose shell traps TERM with ACTION
# is stopped with `stop -t SECONDS`; sets STOP_CODE (its exit code),
# STOP_SECS (how long stop took) and STOP_LOGS.
stop_with() {
  local n t0
  n=$(cname)
  D "$n" "$IMG" sh -c "trap '$1' TERM; echo ready; while :; do sleep 0.2; done" || return 1
  wait_for 30 logs_have "$n" ready
  t0=$SECONDS
  E stop -t "$2" "$n" >/dev/null || { rmf "$n"; fail "stop failed"; return 1; }
  STOP_SECS=$((SECONDS - t0))
  STOP_CODE=$(E inspect -f '{{.State.ExitCode}}' "$n")
  STOP_LOGS=$(E logs "$n" 2>&1)
  rmf "$n"
}

test_stop_term() {
  stop_with 'echo got-term; exit 0' 20 || return 1
  expect_eq "exit code after TERM" "$STOP_CODE" 0 || return 1
  expect_match "trap ran" "$STOP_LOGS" got-term || return 1
  # Exit code 0 and the trap's output prove TERM arrived (a KILL after -t 20
  # gives 137); no time bound: a loaded machine may be slow.
  [ "$STOP_SECS" -lt 120 ] || fail "stop took $STOP_SECS s (hang guard)"
}

test_stop_kill_after_timeout() {
  stop_with '' 2 || return 1
  expect_eq "exit code after KILL" "$STOP_CODE" 137 || return 1
  [ "$STOP_SECS" -ge 2 ] || fail "stop returned after $STOP_SECS s, before its timeout"
}

test_restart() {
  local n s1 s2
  n=$(cname)
  D "$n" "$IMG" sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.2; done' || return 1
  s1=$(E inspect -f '{{.State.StartedAt}}' "$n")
  sleep 1
  E restart -t 5 "$n" >/dev/null || { rmf "$n"; fail "restart failed"; return 1; }
  wait_for 60 is_running "$n"
  s2=$(E inspect -f '{{.State.StartedAt}}' "$n")
  local out
  out=$(E exec "$n" echo alive)
  rmf "$n"
  [ "$s1" != "$s2" ] || fail "StartedAt unchanged ($s1)" || return 1
  expect_eq "exec after restart" "$out" alive
}

# --- checks on the shared foreground runs ------------------------------------------
test_read_only() {
  expect_match "write to / fails" "$(val root rootwrite)" "[Rr]ead-only file system" || { shown root; return 1; }
  expect_eq "writable tmpfs /tmp" "$(val root tmpwrite)" ok || { shown root; return 1; }
}

test_user() { expect_eq "uid gid" "$(val user ids)" "1000 1001" || { shown user; return 1; }; }
test_env() { expect_eq "env" "$(val user env)" "bar|a b" || { shown user; return 1; }; }
test_workdir() { expect_eq "pwd" "$(val user pwd)" /usr/sbin || { shown user; return 1; }; }
test_ulimit() {
  expect_eq "nofile and nproc, soft and hard" "$(val user ulimits)" "1234 2345 2000 3000" || { shown user; return 1; }
}

test_caps() {
  local eff
  expect_eq "chown with the default caps" "$(val root chown)" ok || { shown root; return 1; }
  eff=$(val root capeff)
  [ -n "$eff" ] || { fail "no CapEff"; shown root; return 1; }
  cap_bit "$eff" 12 && fail "CAP_NET_ADMIN in the default set ($eff)" && return 1
  expect_match "chown without CAP_CHOWN" "$(val restricted chown)" "[Oo]peration not permitted" || { shown restricted; return 1; }
  eff=$(val restricted capeff)
  [ -n "$eff" ] || { fail "no CapEff"; shown restricted; return 1; }
  cap_bit "$eff" 12 || fail "CAP_NET_ADMIN missing after --cap-add ($eff)"
}

test_seccomp() {
  expect_eq "mkdir without the profile" "$(val root mkdir)" ok || { shown root; return 1; }
  expect_match "mkdir under the profile" "$(val restricted mkdir)" "[Oo]peration not permitted" || { shown restricted; return 1; }
  expect_eq "other syscalls allowed" "$(val restricted touch)" ok || { shown restricted; return 1; }
}

test_tmpfs() {
  expect_match "tmpfs mount" "$(val root scratchmount)" "^tmpfs /scratch tmpfs" || { shown root; return 1; }
  expect_eq "write" "$(val root scratchwrite)" x || { shown root; return 1; }
}

# What the engines put in the spec besides the command line: sysctls,
# oomScoreAdj, the /dev/shm size (enforced: 9 MiB do not fit in --shm-size
# 8m; podman's /dev/shm is a host tmpfs bound in, whose size ch-runc's guest
# sees only as the share's statfs: docs/deviations.md), masked paths.
test_spec_extras() {
  expect_eq "sysctl, oom_score_adj, /dev/shm holds 8 MiB, /proc/keys masked, /sys/firmware masked" \
    "$(val root extras)" "1 300 8MiB-held character special file 1,3 0" || { shown root; return 1; }
}

test_init() {
  expect_match "pid 1" "$(val root pid1)" "^(docker-init|tini)" || { shown root; return 1; }
  [ "$(val root self)" != 1 ] || fail "the command is pid 1"
}

# --memory 64m (docker's and podman's small limits are common): the
# container runs and its cgroup holds the limit.
test_run_memory() {
  expect_eq "memory limit inside" "$(val root memlimit)" 67108864 || { shown root; return 1; }
}

# A failure inside the runtime reaches the user: the engine reads the
# runtime's log (--log, JSON lines) and prints the cause in `run`'s output.
test_runtime_error_shown() {
  local out
  out=$(R --sysctl net.ipv4.engtest_no_such_key=1 "$IMG" true 2>&1) &&
    fail "run succeeded with a sysctl the kernel does not have" && return 1
  echo "$out"
  expect_match "the cause in the engine's output" "$out" \
    "engtest_no_such_key.*([Nn]o such file or directory|does not exist)"
}

test_podman_rm() {
  local n out
  n=$(cname)
  echo "$n" >>"$IDS"
  out=$(E run --rm --name "$n" "${RUNOPT[@]}" "${NET[@]}" "$IMG" echo rm-ok) || return 1
  expect_eq "output" "$out" rm-ok || return 1
  ! E container exists "$n" || fail "container still exists after --rm"
}

# --device of host block devices (loop devices over files): the contents
# read inside, a write to the rw one in the host's file after the container
# ends, the :r one refusing writes inside and unchanged on the host, and
# neither held open by anything once the container is gone.
test_device() {
  local d=$WORK/device l1 l2 out rc held
  mkdir -p "$d"
  truncate -s 16M "$d/one.img" "$d/two.img"
  printf DEVICE-ONE | dd of="$d/one.img" conv=notrunc status=none
  printf DEVICE-TWO | dd of="$d/two.img" conv=notrunc status=none
  l1=$(losetup --find --show "$d/one.img") || { fail "losetup"; return 1; }
  l2=$(losetup --find --show "$d/two.img") || { losetup -d "$l1"; fail "losetup"; return 1; }
  out=$(R --device "$l1:/dev/xvdz" --device "$l2:/dev/xvdy:r" "$IMG" sh -c \
    'head -c 10 /dev/xvdz; echo; head -c 10 /dev/xvdy; echo
     echo WRITTEN | dd of=/dev/xvdz bs=512 seek=1 conv=sync 2>/dev/null; echo w1=$?
     echo X | dd of=/dev/xvdy bs=512 seek=1 conv=sync 2>/dev/null; echo w2=$?' 2>&1)
  rc=$?
  held=$(for fd in /proc/[0-9]*/fd/*; do
    case $(readlink "$fd" 2>/dev/null) in "$l1" | "$l2") echo "$fd" ;; esac
  done)
  losetup -d "$l1" "$l2"
  echo "$out"
  expect_eq "run" "$rc" 0 || return 1
  expect_eq "contents and writes inside" "$(echo $out)" "DEVICE-ONE DEVICE-TWO w1=0 w2=1" || return 1
  expect_eq "the write in the host's file" "$(dd if="$d/one.img" bs=512 skip=1 count=1 status=none | head -c 7)" WRITTEN || return 1
  expect_eq "the read-only one unchanged" "$(dd if="$d/two.img" bs=512 skip=1 count=1 status=none | tr -d '\0')" "" || return 1
  expect_eq "no fd of the devices left open" "$held" ""
}

run_cli_tests() {
  # the shared foreground runs, each made only when a test reading it runs
  selected test_run_output_exit test_user test_env test_workdir test_ulimit &&
    shared_run user "${USER_FLAGS[@]}" "$IMG" sh -c "$USER_SCRIPT"
  local root_flags=("${ROOT_FLAGS[@]}")
  [ "$ENGINE" = docker ] && root_flags+=(--init)
  selected test_read_only test_caps test_seccomp test_tmpfs test_spec_extras test_run_memory test_init &&
    shared_run root "${root_flags[@]}" "$IMG" sh -c "$ROOT_SCRIPT"
  selected test_caps test_seccomp &&
    shared_run restricted --cap-drop CHOWN --cap-add NET_ADMIN --security-opt "seccomp=$SECCOMP" \
      "$IMG" sh -c "$RESTRICTED_SCRIPT"
  t_run "run: output and exit codes" test_run_output_exit
  t_run "run -i: piped stdin" test_run_stdin
  t_run "run -t: tty and window resize" test_run_tty_resize
  t_run "--read-only" test_read_only
  t_run "--user" test_user
  t_run "-e" test_env
  t_run "--workdir" test_workdir
  t_run "--ulimit" test_ulimit
  t_run "--cap-drop/--cap-add" test_caps
  t_run "--security-opt seccomp=profile blocks mkdir" test_seccomp
  t_run "--tmpfs" test_tmpfs
  t_run "--sysctl, --oom-score-adj, --shm-size, masked paths" test_spec_extras
  t_run "--memory 64m" test_run_memory
  if [ "$ENGINE" = docker ]; then
    t_run "--init" test_init
  else
    t_run "run --rm" test_podman_rm
  fi
  # the shared detached container, from `run -d` to `rm -f`
  selected test_run_detach_logs test_exec test_kill_usr1 test_update test_top test_stats \
    test_etc_files_live test_volume test_pause_unpause test_rm_force_running && svc_start
  t_run "run -d, logs" test_run_detach_logs
  t_run "exec (plain, -i, -t, -d) and exit codes" test_exec
  t_run "kill -s USR1" test_kill_usr1
  t_run "update --memory --cpus seen inside" test_update
  t_run "top" test_top
  t_run "stats --no-stream: memory > 0" test_stats
  t_run "/etc/hosts, hostname, resolv.conf: host-side updates seen" test_etc_files_live
  t_run "-v hostdir:/data both ways" test_volume
  t_run "pause/unpause" test_pause_unpause
  t_run "rm -f of a running container" test_rm_force_running
  # containers of their own
  t_run "stop: SIGTERM honoured" test_stop_term
  t_run "stop: SIGKILL after the timeout" test_stop_kill_after_timeout
  t_run "restart" test_restart
  t_run "a runtime failure shows its cause" test_runtime_error_shown
  t_run "--device of host block devices (rw and :r)" test_device
}
