# The daily commands of docker and podman (sourced by docker.sh / podman.sh).
# Needs: function E (the engine CLI with its flags), ENGINE (docker|podman),
# RUNOPT (the `run` flags choosing the runtime, e.g. --runtime NAME; podman
# takes it as a global flag instead), IMG, WORK, IDS (file of
# container names and ids, for the leftover check), SECCOMP (profile file).

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

test_run_output_exit() {
  local out
  out=$(R "$IMG" echo hello) || fail "echo exited $?" || return 1
  expect_eq "stdout" "$out" "hello" || return 1
  out=$(R "$IMG" sh -c 'echo to-stderr >&2' 2>&1 >/dev/null)
  expect_match "stderr" "$out" "to-stderr" || return 1
  R "$IMG" sh -c 'exit 3'
  expect_eq "exit code" "$?" 3 || return 1
  R "$IMG" false
  expect_eq "exit code of false" "$?" 1 || return 1
  R "$IMG" /no/such/binary >/dev/null 2>&1
  local rc=$?
  [ $rc -eq 127 ] || [ $rc -eq 126 ] || fail "missing binary: exit $rc, want 127 (or 126)"
}

test_run_stdin() {
  local out
  out=$(printf 'one\ntwo\nthree\n' | R -i "$IMG" wc -l) || return 1
  expect_eq "wc -l" "$(echo $out)" 3 || return 1
  out=$(printf 'abc' | R -i "$IMG" sh -c 'cat; exit 4')
  local rc=$?
  expect_eq "cat" "$out" "abc" && expect_eq "exit" $rc 4
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
  expect_match "initial size" "$out" "30 100" || return 1
  expect_match "size after resize" "$out" "40 120"
}

test_run_detach_logs() {
  local n
  n=$(cname)
  D "$n" "$IMG" sh -c 'echo out-line; echo err-line >&2; sleep 300' || return 1
  wait_for 30 logs_have "$n" err-line
  local out
  out=$(E logs "$n" 2>&1)
  rmf "$n"
  expect_match "logs stdout" "$out" "out-line" && expect_match "logs stderr" "$out" "err-line"
}

test_exec() {
  local n out rc
  n=$(cname)
  D "$n" "$IMG" sleep 300 || return 1
  out=$(E exec "$n" echo exec-out) || { rmf "$n"; fail "exec exit $?"; return 1; }
  expect_eq "exec output" "$out" exec-out || { rmf "$n"; return 1; }
  E exec "$n" sh -c 'exit 7'
  rc=$?
  expect_eq "exec exit code" $rc 7 || { rmf "$n"; return 1; }
  out=$(printf 'piped' | E exec -i "$n" sh -c 'cat; exit 2')
  rc=$?
  expect_eq "exec -i output" "$out" piped && expect_eq "exec -i exit" $rc 2 || { rmf "$n"; return 1; }
  out=$(in_tty "$(E_str) exec -t $n sh -c 'tty; stty size; exit 5'")
  rc=$?
  echo "$out"
  expect_eq "exec -t exit" $rc 5 && expect_match "exec -t tty" "$out" "/dev/pts/" || { rmf "$n"; return 1; }
  E exec -d "$n" sh -c 'sleep 1; echo detached > /tmp/exec-d' || { rmf "$n"; fail "exec -d exit $?"; return 1; }
  wait_for 30 E exec "$n" test -f /tmp/exec-d
  out=$(E exec "$n" cat /tmp/exec-d)
  rmf "$n"
  expect_eq "exec -d result" "$out" detached
}

test_stop_term() {
  local n t0 t1 code
  n=$(cname)
  D "$n" "$IMG" sh -c 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.2; done' || return 1
  wait_for 30 logs_have "$n" ready
  t0=$SECONDS
  E stop -t 20 "$n" >/dev/null || { rmf "$n"; fail "stop failed"; return 1; }
  t1=$SECONDS
  code=$(E inspect -f '{{.State.ExitCode}}' "$n")
  local logs
  logs=$(E logs "$n" 2>&1)
  rmf "$n"
  expect_eq "exit code after TERM" "$code" 0 || return 1
  expect_match "trap ran" "$logs" got-term || return 1
  [ $((t1 - t0)) -lt 15 ] || fail "stop took $((t1 - t0)) s: TERM not delivered?"
}

test_stop_kill_after_timeout() {
  local n t0 t1 code
  n=$(cname)
  D "$n" "$IMG" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.2; done' || return 1
  wait_for 30 logs_have "$n" ready
  t0=$SECONDS
  E stop -t 2 "$n" >/dev/null || { rmf "$n"; fail "stop failed"; return 1; }
  t1=$SECONDS
  code=$(E inspect -f '{{.State.ExitCode}}' "$n")
  rmf "$n"
  expect_eq "exit code after KILL" "$code" 137 || return 1
  [ $((t1 - t0)) -ge 2 ] || fail "stop returned after $((t1 - t0)) s, before its timeout"
}

test_kill_usr1() {
  local n
  n=$(cname)
  D "$n" "$IMG" sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.2; done' || return 1
  wait_for 30 logs_have "$n" ready
  E kill -s USR1 "$n" >/dev/null || { rmf "$n"; fail "kill failed"; return 1; }
  wait_for 30 logs_have "$n" got-usr1
  local logs running
  logs=$(E logs "$n" 2>&1)
  is_running "$n" && running=yes || running=no
  rmf "$n"
  expect_match "trap ran" "$logs" got-usr1 && expect_eq "still running" $running yes
}

test_pause_unpause() {
  local n a b st
  n=$(cname)
  D "$n" "$IMG" sh -c 'while :; do echo tick; sleep 0.2; done' || return 1
  E pause "$n" >/dev/null || { rmf "$n"; fail "pause failed"; return 1; }
  st=$(status_of "$n")
  sleep 1
  a=$(E logs "$n" 2>&1 | wc -l)
  sleep 2
  b=$(E logs "$n" 2>&1 | wc -l)
  E unpause "$n" >/dev/null || { rmf "$n"; fail "unpause failed"; return 1; }
  local st2
  st2=$(status_of "$n")
  wait_for 20 test "$(E logs "$n" 2>&1 | wc -l)" -gt "$b"
  local c
  c=$(E logs "$n" 2>&1 | wc -l)
  rmf "$n"
  expect_eq "status when paused" "$st" paused || return 1
  expect_eq "no output while paused" "$b" "$a" || return 1
  expect_eq "status after unpause" "$st2" running || return 1
  [ "$c" -gt "$b" ] || fail "no output after unpause"
}

# prints "memory-limit cpu-quota cpu-period" as seen inside (cgroup v1 or v2)
CG_READ='if [ -f /sys/fs/cgroup/memory.max ]; then echo $(cat /sys/fs/cgroup/memory.max) $(cat /sys/fs/cgroup/cpu.max); else echo $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us); fi'

test_update() {
  local n out
  n=$(cname)
  D "$n" "$IMG" sleep 300 || return 1
  if [ "$ENGINE" = docker ]; then
    E update --memory 64m --memory-swap 128m --cpus 0.5 "$n" >/dev/null
  else
    E update --memory 64m --memory-swap 128m --cpus 0.5 "$n" >/dev/null
  fi || { rmf "$n"; fail "update failed"; return 1; }
  out=$(E exec "$n" sh -c "$CG_READ")
  rmf "$n"
  echo "inside: $out"
  expect_match "memory limit and cpu quota inside" "$out" "^67108864 50000 100000$"
}

test_top() {
  local n out
  n=$(cname)
  D "$n" "$IMG" sleep 301 || return 1
  out=$(E top "$n" 2>&1)
  local rc=$?
  rmf "$n"
  echo "$out"
  [ $rc -eq 0 ] || fail "top exit $rc" || return 1
  expect_match "top lists the process" "$out" "sleep 301"
}

test_stats() {
  local n out
  n=$(cname)
  D "$n" "$IMG" sh -c 'x=$(head -c 4000000 /dev/zero | tr "\0" a); sleep 300' || return 1
  sleep 1
  out=$(E stats --no-stream --format '{{.MemUsage}}' "$n" 2>&1)
  local rc=$?
  rmf "$n"
  echo "$out"
  [ $rc -eq 0 ] || fail "stats exit $rc" || return 1
  expect_match "memory usage" "$out" "^[0-9.]+[kKMG]i?B" || return 1
  ! printf '%s' "$out" | grep -qE '^0(\.0+)?[kKMG]?i?B' || fail "memory usage is zero"
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

test_rm_force_running() {
  local n
  n=$(cname)
  D "$n" "$IMG" sleep 300 || return 1
  E rm -f "$n" >/dev/null || fail "rm -f exit $?" || return 1
  ! E inspect "$n" >/dev/null 2>&1 || fail "container still exists"
}

test_volume() {
  local d="$WORK/vol" out n
  mkdir -p "$d"
  echo from-host >"$d/in"
  out=$(R -v "$d:/data" "$IMG" sh -c 'cat /data/in; echo from-container > /data/out') || return 1
  expect_eq "container reads host file" "$out" from-host || return 1
  expect_eq "host reads container file" "$(cat "$d/out" 2>/dev/null)" from-container || return 1
  # while running: a file the host writes later is seen, and the answer too
  n=$(cname)
  D "$n" -v "$d:/data" "$IMG" sh -c 'i=0; while [ ! -f /data/late ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1)); done; cat /data/late > /data/ack; sleep 300' || return 1
  echo late-host >"$d/late"
  wait_for 60 test -s "$d/ack"
  out=$(cat "$d/ack" 2>/dev/null)
  rmf "$n"
  expect_eq "live host->container->host" "$out" late-host
}

test_read_only() {
  local out
  out=$(R --read-only "$IMG" sh -c 'touch /x' 2>&1) && fail "write to / succeeded" && return 1
  expect_match "error" "$out" "[Rr]ead-only file system" || return 1
  out=$(R --read-only --tmpfs /tmp "$IMG" sh -c 'touch /tmp/x && echo tmp-ok') || return 1
  expect_eq "writable tmpfs" "$out" tmp-ok
}

test_user() {
  local out
  out=$(R --user 1000:1001 "$IMG" sh -c 'echo $(id -u) $(id -g)') || return 1
  expect_eq "uid gid" "$out" "1000 1001"
}

test_env() {
  local out
  out=$(R -e FOO=bar -e "SPACED=a b" "$IMG" sh -c 'echo "$FOO|$SPACED"') || return 1
  expect_eq "env" "$out" "bar|a b"
}

test_workdir() {
  local out
  out=$(R --workdir /usr/sbin "$IMG" pwd) || return 1
  expect_eq "pwd" "$out" /usr/sbin
}

test_ulimit() {
  local out
  out=$(R --ulimit nofile=1234:2345 --ulimit nproc=2000:3000 "$IMG" sh -c 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -Su) $(ulimit -Hu)') || return 1
  expect_eq "nofile and nproc, soft and hard" "$out" "1234 2345 2000 3000"
}

test_caps() {
  local out eff
  R "$IMG" chown 1:1 /tmp || fail "chown with the default caps failed" || return 1
  out=$(R --cap-drop CHOWN "$IMG" chown 1:1 /tmp 2>&1) && fail "chown succeeded without CAP_CHOWN" && return 1
  expect_match "chown error" "$out" "[Oo]peration not permitted" || return 1
  eff=$(R "$IMG" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')
  cap_bit "$eff" 12 && fail "CAP_NET_ADMIN in the default set ($eff)" && return 1
  eff=$(R --cap-add NET_ADMIN "$IMG" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')
  cap_bit "$eff" 12 || fail "CAP_NET_ADMIN missing after --cap-add ($eff)"
}

test_seccomp() {
  local out
  R "$IMG" mkdir /tmp/d || fail "mkdir without the profile failed" || return 1
  out=$(R --security-opt "seccomp=$SECCOMP" "$IMG" mkdir /tmp/d 2>&1) && fail "mkdir allowed under the profile" && return 1
  expect_match "mkdir error" "$out" "[Oo]peration not permitted" || return 1
  out=$(R --security-opt "seccomp=$SECCOMP" "$IMG" sh -c 'touch /tmp/f && echo other-ok') || return 1
  expect_eq "other syscalls allowed" "$out" other-ok
}

test_tmpfs() {
  local out
  out=$(R --tmpfs /scratch:size=1m "$IMG" sh -c 'grep " /scratch " /proc/mounts; echo x > /scratch/f && cat /scratch/f') || return 1
  expect_match "tmpfs mount" "$out" "^tmpfs /scratch tmpfs" && expect_match "write" "$out" "^x$"
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

# What the engines put in the spec besides the command line: sysctls,
# oomScoreAdj, the /dev/shm size, masked paths.
test_spec_extras() {
  local out
  out=$(R --sysctl net.ipv4.ip_forward=1 --oom-score-adj 300 --shm-size 8m "$IMG" sh -c \
    'cat /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; df -k /dev/shm | awk "NR==2 {print \$2}"; stat -c "%F %t,%T" /proc/keys; ls /sys/firmware | wc -l') || return 1
  echo "$out"
  expect_eq "sysctl, oom_score_adj, /dev/shm KiB, /proc/keys masked, /sys/firmware masked" \
    "$(echo $out)" "1 300 8192 character special file 1,3 0"
}

# /etc/hosts, /etc/hostname and /etc/resolv.conf are files the engine keeps
# on the host and binds in: a change the host makes later is seen inside.
test_etc_files_live() {
  local n hp out hn
  n=$(cname)
  D "$n" "$IMG" sleep 300 || return 1
  hp=$(E inspect -f '{{.HostsPath}}' "$n")
  [ -f "$hp" ] || { rmf "$n"; fail "no hosts file on the host ($hp)"; return 1; }
  hn=$(E inspect -f '{{.Config.Hostname}}' "$n")
  # resolv.conf: when the engine made one (podman makes none with --network none)
  local rp want_resolv=""
  rp=$(E inspect -f '{{.ResolvConfPath}}' "$n" 2>/dev/null)
  [ -n "$rp" ] && [ -f "$rp" ] && want_resolv=" resolv-ok"
  out=$(E exec "$n" sh -c 'echo "$(cat /etc/hostname)"; hostname; [ -z "$1" ] || { test -f /etc/resolv.conf && echo resolv-ok; }' sh "$want_resolv")
  # appended in place: the file keeps its inode, as an engine's own update does
  echo "10.9.8.7 engtest-live-host" >>"$hp"
  wait_for 20 E exec "$n" grep -q engtest-live-host /etc/hosts
  local hosts
  hosts=$(E exec "$n" cat /etc/hosts)
  rmf "$n"
  echo "$out"
  expect_eq "hostname file, hostname, resolv.conf" "$(echo $out)" "$hn $hn$want_resolv" || return 1
  expect_match "host-side change seen inside" "$hosts" "10.9.8.7 engtest-live-host"
}

test_init() {
  local out
  out=$(R --init "$IMG" sh -c 'cat /proc/1/comm; echo $$') || return 1
  echo "$out"
  expect_match "pid 1" "$out" "^(docker-init|tini)" || return 1
  local p
  p=$(echo "$out" | tail -n 1)
  [ "$p" != 1 ] || fail "the command is pid 1"
}

test_podman_rm() {
  local n out
  n=$(cname)
  echo "$n" >>"$IDS"
  out=$(E run --rm --name "$n" "${RUNOPT[@]}" "${NET[@]}" "$IMG" echo rm-ok) || return 1
  expect_eq "output" "$out" rm-ok || return 1
  ! E container exists "$n" || fail "container still exists after --rm"
}

run_cli_tests() {
  t_run "run: output and exit codes" test_run_output_exit
  t_run "run -i: piped stdin" test_run_stdin
  t_run "run -t: tty and window resize" test_run_tty_resize
  t_run "run -d, logs" test_run_detach_logs
  t_run "exec (plain, -i, -t, -d) and exit codes" test_exec
  t_run "stop: SIGTERM honoured" test_stop_term
  t_run "stop: SIGKILL after the timeout" test_stop_kill_after_timeout
  t_run "kill -s USR1" test_kill_usr1
  t_run "pause/unpause" test_pause_unpause
  t_run "update --memory --cpus seen inside" test_update
  t_run "top" test_top
  t_run "stats --no-stream: memory > 0" test_stats
  t_run "restart" test_restart
  t_run "rm -f of a running container" test_rm_force_running
  t_run "-v hostdir:/data both ways" test_volume
  t_run "--read-only" test_read_only
  t_run "--user" test_user
  t_run "-e" test_env
  t_run "--workdir" test_workdir
  t_run "--ulimit" test_ulimit
  t_run "--cap-drop/--cap-add" test_caps
  t_run "--security-opt seccomp=profile blocks mkdir" test_seccomp
  t_run "--tmpfs" test_tmpfs
  t_run "a runtime failure shows its cause" test_runtime_error_shown
  t_run "--sysctl, --oom-score-adj, --shm-size, masked paths" test_spec_extras
  t_run "/etc/hosts, hostname, resolv.conf: host-side updates seen" test_etc_files_live
  if [ "$ENGINE" = docker ]; then
    t_run "--init" test_init
  else
    t_run "run --rm" test_podman_rm
  fi
}
