#!/usr/bin/env bash
# Podman against the runtime under test, with its own storage, run and config dirs.
#   podman.sh RUNTIME RT_NAME ROOTFS_TAR SECCOMP_PROFILE
# Prints TAP lines and "podman: N passed, M failed"; exits non-zero on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/cli-tests.sh"
RUNTIME=$1 RT_NAME=$2 ROOTFS_TAR=$3 SECCOMP=$4
ENGINE=podman

WORK=$(mktemp -d /tmp/engtest-podman.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
snapshot_before "$WORK"
# podman has no daemon: everything it keeps is in $WORK/podman
podman_setup "$WORK/podman" "$RT_NAME" "$RUNTIME"
E() { timeout -k 10 "$CMD_TIMEOUT" "${PODMAN[@]}" "$@"; }
E_str() { printf '%q ' "${PODMAN[@]}"; }
IMG=localhost/engtest/busybox:latest
RUNOPT=()

cleanup() {
  trap '' INT TERM; trap - EXIT
  podman_teardown "$IDS"
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" libpod_parent
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! out=$(E info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}' 2>&1); then
  t_result "podman info" 1 "$out"
  t_summary podman
  exit 1
fi
[[ $out == "$RT_NAME "* ]]
t_result "podman uses the runtime ($out)" $? "podman info names another runtime"
if ! out=$(E import -c 'CMD ["sh"]' "$ROOTFS_TAR" "$IMG" 2>&1); then
  t_result "import the busybox image" 1 "$out"
  t_summary podman
  exit 1
fi

run_cli_tests

podman_teardown "$IDS"
out=$(check_leftovers "$WORK" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary podman
