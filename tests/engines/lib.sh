# Shared helpers of the engine tests (sourced, never run).
#   TAP output:  ok N - name / not ok N - name, a summary line at the end.
#   Every wait is bounded; every engine command runs under `timeout`.

T_NUM=0
T_PASS=0
T_FAIL=0
T_FAILED_NAMES=()
CMD_TIMEOUT=${CMD_TIMEOUT:-120}

# next_name PREFIX: a unique container name (also from subshells: the counter
# is kept in a file).
next_name() {
  local f=${WORK:?}/.counter n
  n=$(( $(cat "$f" 2>/dev/null || echo 0) + 1 ))
  echo $n >"$f"
  echo "$1$n"
}

log() { printf '# %s\n' "$*" >&2; }

# t_run NAME FUNCTION [ARGS...]: runs one test function; it passes when the
# function returns 0. Output of the function goes to the diagnostics file.
# ENGTEST_ONLY=REGEX runs only the test functions whose names match.
t_run() {
  local name=$1
  shift
  if [ -n "${ENGTEST_ONLY:-}" ] && ! [[ $1 =~ $ENGTEST_ONLY ]]; then return 0; fi
  T_NUM=$((T_NUM + 1))
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then
    T_PASS=$((T_PASS + 1))
    echo "ok $T_NUM - $name"
  else
    T_FAIL=$((T_FAIL + 1))
    T_FAILED_NAMES+=("$name")
    echo "not ok $T_NUM - $name"
    printf '%s\n' "$out" | tail -n 25 | sed 's/^/#   /'
  fi
}

# t_result NAME RC [DIAG]: records an already computed result.
t_result() {
  T_NUM=$((T_NUM + 1))
  if [ "$2" -eq 0 ]; then
    T_PASS=$((T_PASS + 1)); echo "ok $T_NUM - $1"
  else
    T_FAIL=$((T_FAIL + 1)); T_FAILED_NAMES+=("$1"); echo "not ok $T_NUM - $1"
    [ -n "${3:-}" ] && printf '%s\n' "$3" | tail -n 25 | sed 's/^/#   /'
  fi
}

t_summary() {
  local label=${1:-}
  echo "${label:+$label: }$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}

fail() { echo "FAIL: $*"; return 1; }

# expect_eq WHAT GOT WANT
expect_eq() {
  if [ "$2" != "$3" ]; then
    printf 'FAIL: %s: got [%s] want [%s]\n' "$1" "$2" "$3"
    return 1
  fi
}

# expect_match WHAT GOT REGEX
expect_match() {
  if ! printf '%s' "$2" | grep -qE -- "$3"; then
    printf 'FAIL: %s: [%s] does not match /%s/\n' "$1" "$2" "$3"
    return 1
  fi
}

# wait_for SECONDS COMMAND...: polls every 0.25 s until COMMAND succeeds.
wait_for() {
  local limit=$1
  shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  "$@" >/dev/null 2>&1
}

# in_tty CMD: runs the shell command CMD on a fresh pty (script(1)), returns its
# exit code and prints its output with the CRs removed.
in_tty() {
  timeout -k 10 "$CMD_TIMEOUT" script -qec "$1" /dev/null </dev/null | tr -d '\r'
  return "${PIPESTATUS[0]}"
}

# cap_bit HEX N: 0 when bit N is set in the hex capability mask HEX.
cap_bit() { (( (16#$1 >> $2) & 1 )); }

# --- leftovers -----------------------------------------------------------------

# Records what exists before an engine starts, so that only what the engine
# run added is reported (other engineers may run VMs on the same machine).
snapshot_before() {
  local dir=$1
  ps -eo pid= | sort -n >"$dir/pids.before"
  ip netns list 2>/dev/null | awk '{print $1}' | sort >"$dir/netns.before"
  find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.before"
  find $SHIM_SOCKET_DIRS ! -type d 2>/dev/null | sort >"$dir/sockets.before"
}
# containerd 1.6 keeps shim sockets here whatever its --state (docker's too)
SHIM_SOCKET_DIRS="/run/containerd/s /run/containerd/fifo"

# check_leftovers DIR RUNTIME IDS_FILE: prints what the run left behind and
# returns non-zero if anything is left. IDS_FILE holds container ids/names.
check_leftovers() {
  local dir=$1 runtime=$2 ids=$3 out="" pid
  local rt_real
  # RUNTIME_REAL: the binary behind a wrapper script (run-engine-tests.sh --env)
  rt_real=$(readlink -f "${RUNTIME_REAL:-$runtime}")
  # processes started after the snapshot that belong to this run
  ps -eo pid= | sort -n >"$dir/pids.after"
  for pid in $(comm -13 "$dir/pids.before" "$dir/pids.after"); do
    [ -d /proc/$pid ] || continue
    [ "$pid" = "$$" ] && continue
    local exe cmd
    exe=$(readlink /proc/$pid/exe 2>/dev/null || true)
    cmd=$(tr '\0' ' ' 2>/dev/null </proc/$pid/cmdline || true)
    case "$cmd" in *check_leftovers*|"") continue ;; esac
    # ours: the runtime itself, or anything naming our dir or a container of
    # ours (shims, conmon, a VMM or virtiofsd of the runtime); processes of
    # other tests running on the machine at the same time are not counted
    if [ "$exe" = "$rt_real" ] || [[ "$cmd" == *"$dir"* ]] ||
       { [ -s "$ids" ] && grep -qFf "$ids" <<<"$cmd"; }; then
      out+="process $pid ($exe): $cmd"$'\n'
    fi
  done
  # mounts under the work dir or naming a container id
  local m
  m=$(awk '{print $5}' /proc/self/mountinfo | grep -F "$dir" || true)
  [ -n "$m" ] && out+="mounts: $m"$'\n'
  if [ -s "$ids" ]; then
    m=$(awk '{print $5}' /proc/self/mountinfo | grep -Ff "$ids" || true)
    [ -n "$m" ] && out+="mounts: $m"$'\n'
    # cgroups and runtime state dirs named after a container
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.after"
    m=$(comm -13 "$dir/cgroups.before" "$dir/cgroups.after" | grep -Ff "$ids" || true)
    [ -n "$m" ] && out+="cgroups: $m"$'\n'
    m=$(find /run -maxdepth 5 -type d 2>/dev/null | grep -Ff "$ids" | grep -vF "$dir" || true)
    [ -n "$m" ] && out+="state dirs: $m"$'\n'
  fi
  # shims remove their sockets as they exit, a moment after the engine stops
  local i
  for i in $(seq 40); do
    find $SHIM_SOCKET_DIRS ! -type d 2>/dev/null | sort >"$dir/sockets.after"
    m=$(comm -13 "$dir/sockets.before" "$dir/sockets.after")
    [ -z "$m" ] && break
    sleep 0.25
  done
  [ -n "$m" ] && out+="shim sockets/fifos: $m"$'\n'
  ip netns list 2>/dev/null | awk '{print $1}' | sort >"$dir/netns.after"
  m=$(comm -13 "$dir/netns.before" "$dir/netns.after")
  [ -n "$m" ] && out+="netns: $m"$'\n'
  if [ -n "$out" ]; then
    printf '%s' "$out"
    return 1
  fi
  return 0
}

# force_cleanup DIR IDS_FILE: kills and unmounts whatever is left (after the
# leftover check has reported it), removes new empty cgroups naming our ids.
force_cleanup() {
  local dir=$1 ids=$2 pid cmd
  for pid in $(ps -eo pid=); do
    [ "$pid" = "$$" ] && continue
    cmd=$(tr '\0' ' ' 2>/dev/null </proc/$pid/cmdline || true)
    [ -n "$cmd" ] || continue
    case "$cmd" in *force_cleanup*) continue ;; esac
    if [[ "$cmd" == *"$dir"* ]] || { [ -s "$ids" ] && grep -qFf "$ids" <<<"$cmd"; }; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  sleep 0.5
  awk '{print $5}' /proc/self/mountinfo | grep -F "$dir" | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  if [ -s "$ids" ] && [ -f "$dir/cgroups.before" ]; then
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.after"
    comm -13 "$dir/cgroups.before" "$dir/cgroups.after" | grep -Ff "$ids" | sort -r |
      while read -r c; do rmdir "$c" 2>/dev/null || true; done
  fi
}

# remove_new_cgroups DIR NAME...: rmdir the (empty) cgroup dirs named NAME
# (e.g. an engine's cgroup parent) created during the run.
remove_new_cgroups() {
  local dir=$1 c
  shift
  find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.after"
  for name in "$@"; do
    comm -13 "$dir/cgroups.before" "$dir/cgroups.after" | grep -F "/$name" | sort -r |
      while read -r c; do rmdir "$c" 2>/dev/null || true; done
  done
}

# Directories outside the engines' own dirs that the engines or runtimes
# create by themselves (fixed paths). Those that did not exist before the
# tests are removed afterwards when nothing is left in them but empty dirs
# (podman's blob-info cache is removed whole).
GLOBAL_DIRS="/run/containerd /run/runc /var/run/docker /run/docker /var/lib/containers /run/containers /run/containerization /run/libpod /var/lib/cni"
global_dirs_before() { local d; for d in $GLOBAL_DIRS; do [ -e "$d" ] && echo "$d"; done >"$1"; }
global_dirs_cleanup() {
  local d
  for d in $GLOBAL_DIRS; do
    [ -e "$d" ] || continue
    grep -qx "$d" "$1" && continue
    [ "$d" = /var/lib/containers ] && rm -rf /var/lib/containers/cache
    find "$d" -depth -type d -empty -delete 2>/dev/null
    [ -e "$d" ] && echo "# note: $d was created during the tests and is not empty: $(find "$d" | head -n 5 | tr '\n' ' ')"
  done
  return 0
}
