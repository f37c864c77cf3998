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
mkdir -p "$WORK/storage" "$WORK/run" "$WORK/tmp" "$WORK/cni"
# podman has no daemon: everything it keeps is in these dirs
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
log_driver = "k8s-file"

[network]
network_config_dir = "$WORK/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/events.log"
tmp_dir = "$WORK/tmp"
static_dir = "$WORK/storage/libpod"
volume_path = "$WORK/storage/volumes"
lock_type = "file"
runtime = "$RT_NAME"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$RT_NAME"]

[engine.runtimes]
$RT_NAME = ["$RUNTIME"]
EOF
export CONTAINERS_CONF=$WORK/containers.conf
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
: >"$CONTAINERS_REGISTRIES_CONF"
ECMD=(/usr/bin/podman --root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/tmp" --runtime "$RT_NAME")
E() { timeout -k 10 "$CMD_TIMEOUT" "${ECMD[@]}" "$@"; }
E_str() { printf '%q ' "${ECMD[@]}"; }
IMG=localhost/engtest/busybox:latest
RUNOPT=()

cleanup() {
  trap '' INT TERM; trap - EXIT
  E rm -af -t 2 >/dev/null 2>&1
  force_cleanup "$WORK" "$IDS"
  awk '{print $5}' /proc/self/mountinfo | grep -F "$WORK" | sort -r | xargs -r -n1 umount -l 2>/dev/null
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
t_result "podman uses the runtime ($out)" 0
if ! out=$(E import -c 'CMD ["sh"]' "$ROOTFS_TAR" "$IMG" 2>&1); then
  t_result "import the busybox image" 1 "$out"
  t_summary podman
  exit 1
fi

run_cli_tests

E ps -aq --no-trunc >>"$IDS" 2>/dev/null
E rm -af -t 2 >/dev/null 2>&1
# podman keeps the storage mounted until the store is shut down
E system prune -f >/dev/null 2>&1
E rmi -af >/dev/null 2>&1
awk '{print $5}' /proc/self/mountinfo | grep -F "$WORK/storage/overlay" | sort -r | xargs -r -n1 umount 2>/dev/null
sleep 0.5
out=$(check_leftovers "$WORK" "$RUNTIME" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary podman
