#!/usr/bin/env bash
# Container networking through docker and podman on a runtime (issue 7):
#   network.sh --runtime /path/to/binary [--name NAME] [docker] [podman]
# docker on its default bridge: a busybox httpd answers curl from the host
# through -p 127.0.0.1:PORT:80; two containers on a user-defined docker
# network reach each other by name; podman on its default network: the same
# -p test. Each engine runs in its own directories with bridges and subnets
# of its own (netbr0 10.213.0.0/24, netbr1 10.213.1.0/24, netbr2
# 10.213.2.0/24); traffic stays on this machine (loopback and those bridges).
# Must pass with --runtime /usr/sbin/runc too: it tests the engine path.
# Output: TAP lines, "network: N passed, M failed"; non-zero exit on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

usage() { echo "usage: $0 --runtime /path/to/binary [--name NAME] [docker] [podman]" >&2; exit 2; }
RUNTIME= RT_NAME= ENGINES=()
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME=${2:-}; shift 2 || usage ;;
    --runtime=*) RUNTIME=${1#*=}; shift ;;
    --name) RT_NAME=${2:-}; shift 2 || usage ;;
    --name=*) RT_NAME=${1#*=}; shift ;;
    docker|podman) ENGINES+=("$1"); shift ;;
    *) usage ;;
  esac
done
[ -n "$RUNTIME" ] || usage
RUNTIME=$(readlink -f "$RUNTIME")
[ -x "$RUNTIME" ] || { echo "not executable: $RUNTIME" >&2; exit 2; }
[ -n "$RT_NAME" ] || RT_NAME=$(basename "$RUNTIME")
[ "$RT_NAME" = runc ] && RT_NAME=runc-under-test  # docker's built-in name
[ ${#ENGINES[@]} -gt 0 ] || ENGINES=(docker podman)
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
for tool in curl /usr/sbin/dockerd /usr/bin/docker /usr/sbin/docker-proxy /usr/bin/podman /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (tests/engines/run-engine-tests.sh installs the engines)"; exit 77; }
done

WORK=$(mktemp -d /tmp/engtest-network.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
# The engines give runtimes no environment of ours: with CHRUNC_CONFIG set
# (a development tree's guest image, see tests/e2e/lib.sh), the runtime is
# called through a wrapper that sets it.
if [ -n "${CHRUNC_CONFIG:-}" ]; then
  printf '#!/bin/sh\nCHRUNC_CONFIG=%q exec %q "$@"\n' "$(readlink -f "$CHRUNC_CONFIG")" "$RUNTIME" >"$WORK/runtime"
  chmod 755 "$WORK/runtime"
  REAL_RUNTIME=$RUNTIME
  RUNTIME=$WORK/runtime
fi
snapshot_before "$WORK"
global_dirs_before "$WORK/global-dirs"
IMG_TAR=$WORK/rootfs.tar
"$TOP/scripts/make-bundle.sh" "$WORK/bundle" >/dev/null
tar -C "$WORK/bundle/rootfs" --numeric-owner -cf "$IMG_TAR" .
HTTPD='echo "page-of-$HOSTNAME" > /tmp/index.html; exec httpd -f -p 80 -h /tmp'

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
page_is() { [ "$(curl -s --max-time 3 "$1")" = "$2" ]; }

# --- docker ------------------------------------------------------------------------
DPID=
DOCKER_BRIDGE=netbr0
D() { DOCKER_CONFIG=$WORK/docker/cli timeout -k 10 "$CMD_TIMEOUT" /usr/bin/docker -H "unix://$WORK/docker/docker.sock" "$@"; }

docker_start() {
  mkdir -p "$WORK/docker/data" "$WORK/docker/exec" "$WORK/docker/cli"
  # docker uses a bridge it is given as it is (its address is the gateway).
  ip link add "$DOCKER_BRIDGE" type bridge || return 1
  ip addr add 10.213.0.1/24 dev "$DOCKER_BRIDGE" && ip link set "$DOCKER_BRIDGE" up || return 1
  cat >"$WORK/docker/daemon.json" <<JSON
{
  "data-root": "$WORK/docker/data",
  "exec-root": "$WORK/docker/exec",
  "pidfile": "$WORK/docker/docker.pid",
  "hosts": ["unix://$WORK/docker/docker.sock"],
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "engtest-network-$$",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  "bridge": "$DOCKER_BRIDGE",
  "default-address-pools": [{"base": "10.213.16.0/20", "size": 24}],
  "userland-proxy": true,
  "userland-proxy-path": "/usr/sbin/docker-proxy",
  "storage-driver": "overlay2",
  "runtimes": { "$RT_NAME": { "path": "$RUNTIME" } }
}
JSON
  /usr/sbin/dockerd --config-file "$WORK/docker/daemon.json" >"$WORK/docker/dockerd.log" 2>&1 &
  DPID=$!
  wait_for 60 D version || { tail -n 20 "$WORK/docker/dockerd.log"; return 1; }
  D import -c 'CMD ["sh"]' "$IMG_TAR" net/busybox:latest >/dev/null
}

docker_stop() {
  [ -n "$DPID" ] || return 0
  D ps -aq --no-trunc >>"$IDS" 2>/dev/null
  D ps -aq | xargs -r env DOCKER_CONFIG="$WORK/docker/cli" timeout -k 10 "$CMD_TIMEOUT" /usr/bin/docker -H "unix://$WORK/docker/docker.sock" rm -f >/dev/null 2>&1
  D network rm netnet >/dev/null 2>&1
  kill -TERM "$DPID" 2>/dev/null
  local i
  for i in $(seq 120); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$DPID" 2>/dev/null
  wait "$DPID" 2>/dev/null
  DPID=
  for i in $(seq 40); do pgrep -f "$WORK" >/dev/null || break; sleep 0.25; done
}

test_docker_publish() {
  local port name
  port=$(free_port)
  name=$(next_name "netd$$-")
  echo "$name" >>"$IDS"
  D run -d --name "$name" --hostname "$name" --runtime "$RT_NAME" -p "127.0.0.1:$port:80" \
    net/busybox:latest sh -c "$HTTPD" >/dev/null || return 1
  wait_for 90 page_is "http://127.0.0.1:$port/index.html" "page-of-$name" ||
    { echo "curl: $(curl -s --max-time 3 "http://127.0.0.1:$port/index.html")"; D logs "$name"; return 1; }
  D rm -f "$name" >/dev/null
}

test_docker_names() {
  D network create --subnet 10.213.1.0/24 -o com.docker.network.bridge.name=netbr1 netnet >/dev/null ||
    return 1
  local srv cli out
  srv=$(next_name "netsrv$$-")
  cli=$(next_name "netcli$$-")
  echo "$srv" >>"$IDS"
  echo "$cli" >>"$IDS"
  D run -d --name "$srv" --hostname "$srv" --network netnet --runtime "$RT_NAME" \
    net/busybox:latest sh -c "$HTTPD" >/dev/null || return 1
  out=$(D run --name "$cli" --network netnet --runtime "$RT_NAME" net/busybox:latest sh -c \
    "for i in \$(seq 60); do wget -qO- http://$srv/index.html 2>/dev/null && exit 0; sleep 0.5; done; cat /etc/resolv.conf; nslookup $srv; exit 1")
  D rm -f "$srv" "$cli" >/dev/null
  expect_eq "the client fetched from the server by name" "$out" "page-of-$srv"
}

# --- podman ------------------------------------------------------------------------
P() { timeout -k 10 "$CMD_TIMEOUT" /usr/bin/podman --root "$WORK/podman/storage" \
  --runroot "$WORK/podman/run" --tmpdir "$WORK/podman/tmp" --runtime "$RT_NAME" "$@"; }

podman_setup() {
  mkdir -p "$WORK/podman/storage" "$WORK/podman/run" "$WORK/podman/tmp" "$WORK/podman/cni"
  cat >"$WORK/podman/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$WORK/podman/storage"
runroot = "$WORK/podman/run"
CONF
  # The default network, defined here so that its bridge and subnet are ours.
  cat >"$WORK/podman/cni/netpod.conflist" <<CONF
{
  "cniVersion": "0.4.0",
  "name": "netpod",
  "plugins": [
    {"type": "bridge", "bridge": "netbr2", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}],
              "ranges": [[{"subnet": "10.213.2.0/24", "gateway": "10.213.2.1"}]]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CONF
  cat >"$WORK/podman/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"

[network]
network_backend = "cni"
network_config_dir = "$WORK/podman/cni"
default_network = "netpod"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/podman/events.log"
tmp_dir = "$WORK/podman/tmp"
static_dir = "$WORK/podman/storage/libpod"
volume_path = "$WORK/podman/storage/volumes"
lock_type = "file"
runtime = "$RT_NAME"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$RT_NAME"]

[engine.runtimes]
$RT_NAME = ["$RUNTIME"]
CONF
  export CONTAINERS_CONF=$WORK/podman/containers.conf
  export CONTAINERS_STORAGE_CONF=$WORK/podman/storage.conf
  export CONTAINERS_REGISTRIES_CONF=$WORK/podman/registries.conf
  : >"$CONTAINERS_REGISTRIES_CONF"
  P import -c 'CMD ["sh"]' "$IMG_TAR" localhost/net/busybox:latest >/dev/null
}

podman_cleanup() {
  [ -d "$WORK/podman" ] || return 0
  P ps -aq --no-trunc >>"$IDS" 2>/dev/null
  P rm -af -t 2 >/dev/null 2>&1
  P system prune -f >/dev/null 2>&1
  P rmi -af >/dev/null 2>&1
  awk '{print $5}' /proc/self/mountinfo | grep -F "$WORK/podman" | sort -r | xargs -r -n1 umount 2>/dev/null
  ip link del netbr2 2>/dev/null
  rm -rf /var/lib/cni/networks/netpod  # host-local's leases of our network
  return 0
}

test_podman_publish() {
  local port name
  port=$(free_port)
  name=$(next_name "netp$$-")
  echo "$name" >>"$IDS"
  P run -d --name "$name" --hostname "$name" -p "127.0.0.1:$port:80" \
    localhost/net/busybox:latest sh -c "$HTTPD" >/dev/null || return 1
  wait_for 90 page_is "http://127.0.0.1:$port/index.html" "page-of-$name" ||
    { echo "curl: $(curl -s --max-time 3 "http://127.0.0.1:$port/index.html")"; P logs "$name"; return 1; }
  P rm -f -t 2 "$name" >/dev/null
}

cleanup() {
  trap '' INT TERM; trap - EXIT
  docker_stop
  podman_cleanup
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "engtest-network-$$" libpod_parent
  ip link del "$DOCKER_BRIDGE" 2>/dev/null
  ip link del netbr1 2>/dev/null
  ip link del netbr2 2>/dev/null
  global_dirs_cleanup "$WORK/global-dirs"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# runtime: $RUNTIME (name $RT_NAME)"
for e in "${ENGINES[@]}"; do
  case $e in
    docker)
      if docker_start >"$WORK/docker-start.log" 2>&1; then
        t_result "dockerd with bridge $DOCKER_BRIDGE starts" 0
        t_run "docker default bridge: curl through -p 127.0.0.1:PORT:80" test_docker_publish
        t_run "docker user-defined network: reach a container by name" test_docker_names
      else
        t_result "dockerd with bridge $DOCKER_BRIDGE starts" 1 "$(cat "$WORK/docker-start.log")"
      fi
      docker_stop ;;
    podman)
      if podman_setup >"$WORK/podman-setup.log" 2>&1; then
        t_result "podman with network netpod (netbr2)" 0
        t_run "podman default network: curl through -p 127.0.0.1:PORT:80" test_podman_publish
      else
        t_result "podman with network netpod (netbr2)" 1 "$(cat "$WORK/podman-setup.log")"
      fi
      podman_cleanup ;;
  esac
done
out=$(check_leftovers "$WORK" "${REAL_RUNTIME:-$RUNTIME}" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary network
