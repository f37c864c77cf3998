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
# What this run left is found by what it recorded: its work dir and the names
# and ids of its containers (IDS_FILE). Nothing global is compared before and
# after, so containers, VMs and daemons of other runs on the machine at the
# same time are never taken for ours.

# snapshot_before DIR: the cgroup dirs that exist before the run (new ones
# named after a container of ours are reported, and removed at the end).
snapshot_before() {
  find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$1/cgroups.before"
}
# containerd 1.6 keeps shim sockets here whatever its --state (docker's too),
# named sha256(ADDRESS/NAMESPACE/ID) of the containerd that started the shim.
SHIM_SOCKET_DIR=/run/containerd/s

# record_shim_sockets IDS_FILE ADDRESS NAMESPACE ID...: adds the names of the
# shim sockets of these containers to IDS_FILE (shim_socket_names).
record_shim_sockets() {
  local ids=$1 address=$2 ns=$3 id
  shift 3
  for id; do
    printf 'shim-socket %s\n' "$(printf '%s' "$address/$ns/$id" | sha256sum | cut -d' ' -f1)" >>"$ids"
  done
}

# ours PID DIR: whether a process belongs to this run: its command
# line names the work dir or a container of ours (runtime, monitor, VMM,
# shim, conmon), or its cgroup is a container's of ours (runc init).
ours() {
  local pid=$1 dir=$2 cmd cg
  cmd=$(tr '\0' ' ' 2>/dev/null </proc/$pid/cmdline || true)
  [ -n "$cmd" ] || return 1
  case "$cmd" in *check_leftovers*|*force_cleanup*) return 1 ;; esac
  [[ "$cmd" == *"$dir"* ]] && return 0
  [ -s "$dir/ids.names" ] || return 1
  grep -qFf "$dir/ids.names" <<<"$cmd" && return 0
  cg=$(cat /proc/$pid/cgroup 2>/dev/null || true)
  grep -qFf "$dir/ids.names" <<<"$cg"
}
# ids_names DIR IDS_FILE: DIR/ids.names, the container names and ids alone
# (the patterns for grep -F: no empty line, which would match everything).
ids_names() { grep -v '^shim-socket ' "$2" 2>/dev/null | grep -v '^[[:space:]]*$' >"$1/ids.names"; return 0; }

# runtime_socket_dirs DIR: ch-runc's socket dirs of our containers that are
# still there: /run/ch-runc/<fnv1a-64 of STATE_DIR> (runtime/store/socket_dir.cpp)
# with STATE_DIR = ROOT/ID, ROOT a runtime root the engines keep under DIR.
CHRUNC_SOCKET_ROOT=/run/ch-runc
runtime_socket_dirs() {
  [ -d "$CHRUNC_SOCKET_ROOT" ] && [ -s "$1/ids.names" ] || return 0
  python3 - "$1" "$CHRUNC_SOCKET_ROOT" <<'PY'
import os, sys
work, sockroot = sys.argv[1], sys.argv[2]
have = set(os.listdir(sockroot))
if not have:
    sys.exit(0)
ids = [l.strip() for l in open(os.path.join(work, "ids.names")) if l.strip()]
def fnv1a(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h
skip = {"overlay", "overlay2", "overlay-layers", "overlay-images", "vfs", "image", "content", "snapshots"}
for root, dirs, _ in os.walk(work):
    dirs[:] = [d for d in dirs if d not in skip and root.count(os.sep) - work.count(os.sep) < 6]
    for i in ids:
        h = fnv1a(os.path.normpath(os.path.join(root, i)))
        if h in have:
            print(os.path.join(sockroot, h), "(" + os.path.join(root, i) + ")")
PY
}

# check_leftovers DIR IDS_FILE: prints what the run left behind and returns
# non-zero if anything is left. IDS_FILE holds container names and ids (and
# "shim-socket HASH" lines).
check_leftovers() {
  local dir=$1 ids=$2 out="" pid m names=$1/ids.names
  ids_names "$dir" "$ids"
  for pid in $(ps -eo pid=); do
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
    [ -d /proc/$pid ] || continue
    if ours "$pid" "$dir"; then
      out+="process $pid ($(readlink /proc/$pid/exe 2>/dev/null)): $(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)"$'\n'
    fi
  done
  # mounts under the work dir or naming a container of ours
  m=$(awk '{print $5}' /proc/self/mountinfo | grep -F "$dir" || true)
  [ -n "$m" ] && out+="mounts: $m"$'\n'
  if [ -s "$names" ]; then
    m=$(awk '{print $5}' /proc/self/mountinfo | grep -Ff "$names" || true)
    [ -n "$m" ] && out+="mounts: $m"$'\n'
    # cgroups, runtime state dirs and network namespaces named after a container
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.after"
    m=$(comm -13 "$dir/cgroups.before" "$dir/cgroups.after" | grep -Ff "$names" || true)
    [ -n "$m" ] && out+="cgroups: $m"$'\n'
    m=$(find /run -maxdepth 5 -type d 2>/dev/null | grep -Ff "$names" | grep -vF "$dir" || true)
    [ -n "$m" ] && out+="state dirs: $m"$'\n'
    # ctr's stdio fifos: /run/containerd/fifo/<random>/<id>-stdout ...
    m=$(find /run/containerd/fifo ! -type d 2>/dev/null | grep -Ff "$names" || true)
    [ -n "$m" ] && out+="fifos: $m"$'\n'
    m=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -Ff "$names" || true)
    [ -n "$m" ] && out+="netns: $m"$'\n'
  fi
  m=$(runtime_socket_dirs "$dir")
  [ -n "$m" ] && out+="runtime socket dirs: $m"$'\n'
  # the shims of our containers remove their sockets as they exit, a moment
  # after the engine stops
  local i sock
  for i in $(seq 40); do
    m=
    for sock in $(sed -n 's/^shim-socket //p' "$ids" 2>/dev/null); do
      [ -e "$SHIM_SOCKET_DIR/$sock" ] && m+="$SHIM_SOCKET_DIR/$sock "
    done
    [ -z "$m" ] && break
    sleep 0.25
  done
  [ -n "$m" ] && out+="shim sockets: $m"$'\n'
  if [ -n "$out" ]; then
    printf '%s' "$out"
    return 1
  fi
  return 0
}

# force_cleanup DIR IDS_FILE: kills and unmounts whatever is left (after the
# leftover check has reported it), removes new empty cgroups naming our ids.
force_cleanup() {
  local dir=$1 ids=$2 pid
  ids_names "$dir" "$ids"
  for pid in $(ps -eo pid=); do
    [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
    ours "$pid" "$dir" && kill -9 "$pid" 2>/dev/null
  done
  sleep 0.5
  runtime_socket_dirs "$dir" | awk '{print $1}' | xargs -r rm -rf
  awk '{print $5}' /proc/self/mountinfo | grep -F "$dir" | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  if [ -s "$dir/ids.names" ] && [ -f "$dir/cgroups.before" ]; then
    find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | sort >"$dir/cgroups.after"
    comm -13 "$dir/cgroups.before" "$dir/cgroups.after" | grep -Ff "$dir/ids.names" | sort -r |
      while read -r c; do rmdir "$c" 2>/dev/null || true; done
  fi
  return 0
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

# --- dockerd ---------------------------------------------------------------------
# dockerd_start DIR RT_NAME RUNTIME CGROUP_PARENT [NETWORK_JSON]: a dockerd
# with everything it keeps in DIR (data-root, exec-root, socket, pidfile, CLI
# config), the runtime registered as RT_NAME, cgroupfs under CGROUP_PARENT,
# no iptables. NETWORK_JSON: daemon.json members for the network (each ending
# in a comma); by default no bridge and no proxy (containers use
# --network none). Sets DOCKER (the CLI with its -H), DOCKER_DIR and DPID.
dockerd_start() {
  local dir=$1 rt_name=$2 runtime=$3 cgparent=$4
  local net=${5:-'"bridge": "none", "userland-proxy": false,'}
  mkdir -p "$dir/data" "$dir/exec" "$dir/cli"
  cat >"$dir/daemon.json" <<JSON
{
  "data-root": "$dir/data",
  "exec-root": "$dir/exec",
  "pidfile": "$dir/docker.pid",
  "hosts": ["unix://$dir/docker.sock"],
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "$cgparent",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  $net
  "storage-driver": "overlay2",
  "runtimes": { "$rt_name": { "path": "$runtime" } }
}
JSON
  # the CLI's config dir set for the CLI alone (podman would read it too)
  DOCKER=(env "DOCKER_CONFIG=$dir/cli" /usr/bin/docker -H "unix://$dir/docker.sock")
  DOCKER_DIR=$dir
  /usr/sbin/dockerd --config-file "$dir/daemon.json" >"$dir/dockerd.log" 2>&1 &
  DPID=$!
  wait_for 60 timeout -k 5 20 "${DOCKER[@]}" version || { tail -n 20 "$dir/dockerd.log"; return 1; }
}

# docker_record IDS_FILE: adds every container's full id to IDS_FILE, and the
# names of the shim sockets of every container recorded there.
docker_record() {
  timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" ps -aq --no-trunc >>"$1" 2>/dev/null
  # the shims dockerd's containerd starts: namespace moby, that containerd's socket
  record_shim_sockets "$1" "$DOCKER_DIR/exec/containerd/containerd.sock" moby \
    $(grep -v '^shim-socket ' "$1" | sort -u)
}

# dockerd_stop IDS_FILE: records and removes every container, stops dockerd
# (TERM, KILL after 30 s) and waits for its containerd and shims to exit.
dockerd_stop() {
  [ -n "${DPID:-}" ] || return 0
  local i
  if kill -0 "$DPID" 2>/dev/null; then
    docker_record "$1"
    timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" ps -aq |
      xargs -r timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" rm -f >/dev/null 2>&1
    kill -TERM "$DPID" 2>/dev/null
    for i in $(seq 120); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$DPID" 2>/dev/null
  fi
  wait "$DPID" 2>/dev/null
  DPID=
  for i in $(seq 40); do pgrep -f "$DOCKER_DIR/" >/dev/null || break; sleep 0.25; done
  return 0
}

# --- podman ----------------------------------------------------------------------
# podman_setup DIR RT_NAME RUNTIME [NETWORK]: podman with its storage, run
# and tmp dirs and its configs in DIR (exports CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF), the runtime
# registered as RT_NAME with JSON errors, cgroupfs, file locks. Containers get
# no network by default; NETWORK names a CNI network (its conflist in
# DIR/cni, written by the caller) made the default one. Sets PODMAN (the CLI
# with its flags).
podman_setup() {
  local dir=$1 rt_name=$2 runtime=$3 network=${4:-} netns='netns = "none"' netconf=
  mkdir -p "$dir/storage" "$dir/run" "$dir/tmp" "$dir/cni"
  if [ -n "$network" ]; then
    netns=
    netconf=$(printf 'network_backend = "cni"\ndefault_network = "%s"' "$network")
  fi
  cat >"$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
$netns

[network]
network_config_dir = "$dir/cni"
$netconf

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
static_dir = "$dir/storage/libpod"
volume_path = "$dir/storage/volumes"
lock_type = "file"
runtime = "$rt_name"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$rt_name"]

[engine.runtimes]
$rt_name = ["$runtime"]
CONF
  export CONTAINERS_CONF=$dir/containers.conf
  export CONTAINERS_STORAGE_CONF=$dir/storage.conf
  export CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
  : >"$CONTAINERS_REGISTRIES_CONF"
  PODMAN=(/usr/bin/podman --root "$dir/storage" --runroot "$dir/run" --tmpdir "$dir/tmp" --runtime "$rt_name")
  PODMAN_DIR=$dir
}

# podman_teardown IDS_FILE: records every container's id (and network
# namespace), removes the containers and images and unmounts the storage
# (podman keeps it mounted until the store is shut down).
podman_teardown() {
  [ -n "${PODMAN_DIR:-}" ] && [ -d "$PODMAN_DIR" ] || return 0
  local p=(timeout -k 10 "$CMD_TIMEOUT" "${PODMAN[@]}")
  "${p[@]}" ps -aq --no-trunc >>"$1" 2>/dev/null
  "${p[@]}" rm -af -t 2 >/dev/null 2>&1
  "${p[@]}" system prune -f >/dev/null 2>&1
  "${p[@]}" rmi -af >/dev/null 2>&1
  awk '{print $5}' /proc/self/mountinfo | grep -F "$PODMAN_DIR/" | sort -r | xargs -r -n1 umount 2>/dev/null
  PODMAN_DIR=
  sleep 0.5
  return 0
}
