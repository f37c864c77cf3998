#!/usr/bin/env bash
# Docker (docker.io) against the runtime under test, in its own directories.
#   docker.sh RUNTIME RT_NAME ROOTFS_TAR SECCOMP_PROFILE
# Prints TAP lines and "docker: N passed, M failed"; exits non-zero on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cli-tests.sh"
RUNTIME=$1 RT_NAME=$2 ROOTFS_TAR=$3 SECCOMP=$4
ENGINE=docker
# "runc" is docker's built-in runtime name: register the binary under another.
[ "$RT_NAME" = runc ] && RT_NAME=runc-under-test

WORK=$(mktemp -d /tmp/engtest-docker.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
snapshot_before "$WORK"
CGPARENT=engtest-docker-$$
mkdir -p "$WORK/data" "$WORK/exec" "$WORK/cli"
export DOCKER_CONFIG=$WORK/cli
ECMD=(/usr/bin/docker -H "unix://$WORK/docker.sock")
E() { timeout -k 10 "$CMD_TIMEOUT" "${ECMD[@]}" "$@"; }
E_str() { printf '%q ' "${ECMD[@]}"; }
IMG=engtest/busybox:latest
RUNOPT=(--runtime "$RT_NAME")

cat >"$WORK/daemon.json" <<EOF
{
  "data-root": "$WORK/data",
  "exec-root": "$WORK/exec",
  "pidfile": "$WORK/docker.pid",
  "hosts": ["unix://$WORK/docker.sock"],
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "$CGPARENT",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  "bridge": "none",
  "userland-proxy": false,
  "storage-driver": "overlay2",
  "runtimes": { "$RT_NAME": { "path": "$RUNTIME" } }
}
EOF

DPID=
stop_daemon() {
  [ -n "$DPID" ] || return 0
  if kill -0 "$DPID" 2>/dev/null; then
    kill -TERM "$DPID" 2>/dev/null
    local i
    for i in $(seq 120); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$DPID" 2>/dev/null
  fi
  wait "$DPID" 2>/dev/null
  DPID=
  # the managed containerd and the shims exit with dockerd; give them a moment
  local j
  for j in $(seq 40); do pgrep -f "$WORK" >/dev/null || break; sleep 0.25; done
}

cleanup() {
  trap '' INT TERM; trap - EXIT
  if [ -n "$DPID" ]; then
    E ps -aq | xargs -r timeout -k 10 "$CMD_TIMEOUT" "${ECMD[@]}" rm -f >/dev/null 2>&1
    stop_daemon
  fi
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "$CGPARENT"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/sbin/dockerd --config-file "$WORK/daemon.json" >"$WORK/dockerd.log" 2>&1 &
DPID=$!
if ! wait_for 60 E version; then
  t_result "dockerd starts" 1 "$(tail -n 20 "$WORK/dockerd.log")"
  t_summary docker
  exit 1
fi
t_result "dockerd starts with the runtime registered" 0
if ! E import -c 'CMD ["sh"]' "$ROOTFS_TAR" "$IMG" >/dev/null; then
  t_result "import the busybox image" 1
  t_summary docker
  exit 1
fi

run_cli_tests

# leftovers: remove every container, stop the daemon, look for what remains
E ps -aq --no-trunc >>"$IDS" 2>/dev/null
E ps -aq | xargs -r timeout -k 10 "$CMD_TIMEOUT" "${ECMD[@]}" rm -f >/dev/null 2>&1
stop_daemon
out=$(check_leftovers "$WORK" "$RUNTIME" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary docker
