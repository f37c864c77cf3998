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
E() { timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" "$@"; }
E_str() { printf '%q ' "${DOCKER[@]}"; }
IMG=engtest/busybox:latest
RUNOPT=(--runtime "$RT_NAME")

cleanup() {
  trap '' INT TERM; trap - EXIT
  dockerd_stop "$IDS"
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "$CGPARENT"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! dockerd_start "$WORK/docker" "$RT_NAME" "$RUNTIME" "$CGPARENT" >"$WORK/start.log" 2>&1; then
  t_result "dockerd starts" 1 "$(cat "$WORK/start.log")"
  t_summary docker
  exit 1
fi
out=$(E info --format '{{range $name, $rt := .Runtimes}}{{$name}} {{end}}' 2>&1)
[[ " $out" == *" $RT_NAME "* ]]
t_result "dockerd starts with the runtime registered" $? "docker info runtimes: $out"
if ! E import -c 'CMD ["sh"]' "$ROOTFS_TAR" "$IMG" >/dev/null; then
  t_result "import the busybox image" 1
  t_summary docker
  exit 1
fi

run_cli_tests

# leftovers: remove every container, stop the daemon, look for what remains
dockerd_stop "$IDS"
out=$(check_leftovers "$WORK" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary docker
