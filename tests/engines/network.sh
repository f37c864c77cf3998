#!/usr/bin/env bash
# Container networking through docker and podman on a runtime (issue 7), run
# by run-engine-tests.sh as its engine "network":
#   network.sh RUNTIME RT_NAME ROOTFS_TAR [docker] [podman]
# docker on its default bridge: a busybox httpd answers curl from the host
# through -p 127.0.0.1:PORT:80; two containers on a user-defined docker
# network reach each other by name; podman on its default network: the same
# -p test. Each engine runs in its own directories with bridges, networks
# and subnets of its own (etnb<pid>d/u/p, 10.N.0-2.0/24 with N a /16 no route
# uses yet); traffic stays on this machine (loopback and those bridges).
# Must pass with runc too: it tests the engine path.
# Output: TAP lines, "network: N passed, M failed"; non-zero exit on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
RUNTIME=$1 RT_NAME=$2 IMG_TAR=$3
shift 3
ENGINES=("$@")
[ ${#ENGINES[@]} -gt 0 ] || ENGINES=(docker podman)
[ "$RT_NAME" = runc ] && RT_NAME=runc-under-test  # docker's built-in name

WORK=$(mktemp -d /tmp/engtest-network.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
snapshot_before "$WORK"
HTTPD='echo "page-of-$HOSTNAME" > /tmp/index.html; exec httpd -f -p 80 -h /tmp'

# Bridges and subnets of this run: 10.N.0.0/24 (docker's default bridge),
# 10.N.1.0/24 (the user-defined network), 10.N.2.0/24 (podman's), docker's
# address pool 10.N.16.0/20; N is one no route of the machine uses yet, so
# runs of other worktrees at the same time do not collide.
NET_N=
for n in $(seq $((200 + $$ % 50)) 249) $(seq 200 249); do
  ip route show | grep -q "^10\.$n\." || { NET_N=$n; break; }
done
[ -n "$NET_N" ] || { echo "no free 10.N.0.0/16 for the test networks" >&2; exit 2; }
BR_DOCKER=etnb$$d BR_USER=etnb$$u BR_PODMAN=etnb$$p
USER_NET=etnet$$ PODMAN_NET=etpod$$

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
page_is() { [ "$(curl -s --max-time 3 "$1")" = "$2" ]; }

# --- docker ------------------------------------------------------------------------
D() { timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" "$@"; }

docker_start() {
  # docker uses a bridge it is given as it is (its address is the gateway).
  ip link add "$BR_DOCKER" type bridge || return 1
  ip addr add "10.$NET_N.0.1/24" dev "$BR_DOCKER" && ip link set "$BR_DOCKER" up || return 1
  dockerd_start "$WORK/docker" "$RT_NAME" "$RUNTIME" "engtest-network-$$" "\"bridge\": \"$BR_DOCKER\",
  \"default-address-pools\": [{\"base\": \"10.$NET_N.16.0/20\", \"size\": 24}],
  \"userland-proxy\": true,
  \"userland-proxy-path\": \"/usr/sbin/docker-proxy\"," || return 1
  D import -c 'CMD ["sh"]' "$IMG_TAR" net/busybox:latest >/dev/null
}

docker_stop() {
  [ -n "${DPID:-}" ] || return 0
  docker_record "$IDS"
  D ps -aq | xargs -r timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" rm -f >/dev/null 2>&1
  D network rm "$USER_NET" >/dev/null 2>&1
  dockerd_stop "$IDS"
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
  D network create --subnet "10.$NET_N.1.0/24" -o "com.docker.network.bridge.name=$BR_USER" "$USER_NET" >/dev/null ||
    return 1
  local srv cli out
  srv=$(next_name "netsrv$$-")
  cli=$(next_name "netcli$$-")
  echo "$srv" >>"$IDS"
  echo "$cli" >>"$IDS"
  D run -d --name "$srv" --hostname "$srv" --network "$USER_NET" --runtime "$RT_NAME" \
    net/busybox:latest sh -c "$HTTPD" >/dev/null || return 1
  out=$(D run --name "$cli" --network "$USER_NET" --runtime "$RT_NAME" net/busybox:latest sh -c \
    "end=\$((\$(date +%s) + 40)); while [ \$(date +%s) -lt \$end ]; do timeout 5 wget -qO- http://$srv/index.html 2>/dev/null && exit 0; sleep 0.5; done; cat /etc/resolv.conf; nslookup $srv; exit 1")
  D rm -f "$srv" "$cli" >/dev/null
  expect_eq "the client fetched from the server by name" "$out" "page-of-$srv"
}

# --- podman ------------------------------------------------------------------------
P() { timeout -k 10 "$CMD_TIMEOUT" "${PODMAN[@]}" "$@"; }

podman_start() {
  podman_setup "$WORK/podman" "$RT_NAME" "$RUNTIME" "$PODMAN_NET"
  # The default network, defined here so that its bridge and subnet are ours.
  cat >"$WORK/podman/cni/$PODMAN_NET.conflist" <<CONF
{
  "cniVersion": "0.4.0",
  "name": "$PODMAN_NET",
  "plugins": [
    {"type": "bridge", "bridge": "$BR_PODMAN", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}],
              "ranges": [[{"subnet": "10.$NET_N.2.0/24", "gateway": "10.$NET_N.2.1"}]]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CONF
  P import -c 'CMD ["sh"]' "$IMG_TAR" localhost/net/busybox:latest >/dev/null
}

podman_stop() {
  podman_teardown "$IDS"
  ip link del "$BR_PODMAN" 2>/dev/null
  rm -rf "/var/lib/cni/networks/$PODMAN_NET"  # host-local's leases of our network
  return 0
}

test_podman_publish() {
  local port name
  port=$(free_port)
  name=$(next_name "netp$$-")
  echo "$name" >>"$IDS"
  P run -d --name "$name" --hostname "$name" -p "127.0.0.1:$port:80" \
    localhost/net/busybox:latest sh -c "$HTTPD" >/dev/null || return 1
  # its network namespace (/run/netns/cni-...), for the leftover check
  P inspect -f '{{.NetworkSettings.SandboxKey}}' "$name" 2>/dev/null | xargs -r -n1 basename >>"$IDS"
  wait_for 90 page_is "http://127.0.0.1:$port/index.html" "page-of-$name" ||
    { echo "curl: $(curl -s --max-time 3 "http://127.0.0.1:$port/index.html")"; P logs "$name"; return 1; }
  P rm -f -t 2 "$name" >/dev/null
}

cleanup() {
  trap '' INT TERM; trap - EXIT
  docker_stop
  podman_stop
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "engtest-network-$$" libpod_parent
  ip link del "$BR_DOCKER" 2>/dev/null
  ip link del "$BR_USER" 2>/dev/null
  ip link del "$BR_PODMAN" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# runtime: $RUNTIME (name $RT_NAME), networks 10.$NET_N.0.0/16"
for e in "${ENGINES[@]}"; do
  case $e in
    docker)
      if docker_start >"$WORK/docker-start.log" 2>&1; then
        t_result "dockerd with bridge $BR_DOCKER starts" 0
        t_run "docker default bridge: curl through -p 127.0.0.1:PORT:80" test_docker_publish
        t_run "docker user-defined network: reach a container by name" test_docker_names
      else
        t_result "dockerd with bridge $BR_DOCKER starts" 1 "$(cat "$WORK/docker-start.log")"
      fi
      docker_stop ;;
    podman)
      if podman_start >"$WORK/podman-setup.log" 2>&1; then
        t_result "podman with network $PODMAN_NET ($BR_PODMAN)" 0
        t_run "podman default network: curl through -p 127.0.0.1:PORT:80" test_podman_publish
      else
        t_result "podman with network $PODMAN_NET ($BR_PODMAN)" 1 "$(cat "$WORK/podman-setup.log")"
      fi
      podman_stop ;;
  esac
done
out=$(check_leftovers "$WORK" "$IDS")
t_result "no leftover process, mount, cgroup, netns or state" $? "$out"
t_summary network
