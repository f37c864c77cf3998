#!/usr/bin/env bash
# Runs docker, podman and containerd (ctr) against an OCI runtime, then
# container networking through docker and podman (network.sh).
#   run-engine-tests.sh --runtime /path/to/binary [--name NAME] [--env VAR=VALUE ...]
#                       [docker|podman|ctr|network ...]
# --env: the engines run the runtime through a wrapper that sets VAR=VALUE
# (e.g. CHRUNC_CONFIG=/path/ch-runc.yaml: the guest image of a build tree),
# so nothing under /etc needs to change.
# Installs the engines from Debian's archive when they are missing, builds a
# busybox image from busybox-static (no registry needed), starts every engine
# in its own temp directories and stops/cleans it at the end.
# Output: TAP lines per engine, "ENGINE: N passed, M failed" per engine and a
# last line "N passed, M failed"; exit status non-zero when anything failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

usage() { echo "usage: $0 --runtime /path/to/binary [--name NAME] [--env VAR=VALUE ...] [docker|podman|ctr|network ...]" >&2; exit 2; }
RUNTIME= NAME= ENGINES=() ENVS=()
while [ $# -gt 0 ]; do
  case $1 in
    --runtime) RUNTIME=${2:-}; shift 2 || usage ;;
    --runtime=*) RUNTIME=${1#*=}; shift ;;
    --name) NAME=${2:-}; shift 2 || usage ;;
    --name=*) NAME=${1#*=}; shift ;;
    --env) [[ ${2:-} == [A-Za-z_]*=* ]] || usage; ENVS+=("$2"); shift 2 ;;
    --env=*) [[ ${1#*=} == [A-Za-z_]*=* ]] || usage; ENVS+=("${1#*=}"); shift ;;
    docker|podman|ctr|network) ENGINES+=("$1"); shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$RUNTIME" ] || usage
RUNTIME=$(readlink -f "$RUNTIME")
[ -x "$RUNTIME" ] || { echo "not executable: $RUNTIME" >&2; exit 2; }
[ -n "$NAME" ] || NAME=$(basename "$RUNTIME")
[ ${#ENGINES[@]} -gt 0 ] || ENGINES=(docker podman ctr network)
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }

# --- packages --------------------------------------------------------------------
need=()
for e in "${ENGINES[@]}"; do
  case $e in
    docker) [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || need+=(docker.io) ;;
    podman) [ -x /usr/bin/podman ] && [ -x /usr/bin/conmon ] || need+=(podman conmon) ;;
    ctr) [ -x /usr/bin/containerd ] && [ -x /usr/bin/ctr ] || need+=(containerd) ;;
    network)
      [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] && [ -x /usr/sbin/docker-proxy ] || need+=(docker.io)
      [ -x /usr/bin/podman ] && [ -x /usr/bin/conmon ] || need+=(podman conmon)
      [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] || need+=(containernetworking-plugins)
      command -v curl >/dev/null || need+=(curl) ;;
  esac
done
command -v script >/dev/null || need+=(bsdutils)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "# installing: ${need[*]}"
  # policy-rc.d keeps the packages from starting the machine's own daemons
  created_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 apt-get install -y --no-install-recommends "${need[@]}" >/tmp/engine-tests-apt.log 2>&1 ||
    { timeout 600 apt-get update >>/tmp/engine-tests-apt.log 2>&1 &&
      timeout 900 apt-get install -y --no-install-recommends "${need[@]}" >>/tmp/engine-tests-apt.log 2>&1; } ||
    { echo "apt-get install ${need[*]} failed, see /tmp/engine-tests-apt.log" >&2; [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d; exit 2; }
  [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

# --- the busybox image -------------------------------------------------------------
. "$HERE/lib.sh"
IMGDIR=$(mktemp -d /tmp/engtest-image.XXXXXX)
global_dirs_before "$IMGDIR/global-dirs"
trap 'global_dirs_cleanup "$IMGDIR/global-dirs"; rm -rf "$IMGDIR"' EXIT
"$TOP/scripts/make-bundle.sh" "$IMGDIR/bundle" >/dev/null
tar -C "$IMGDIR/bundle/rootfs" --numeric-owner -cf "$IMGDIR/rootfs.tar" .
python3 "$HERE/make-oci-archive.py" "$IMGDIR/rootfs.tar" "$IMGDIR/oci.tar" engtest/busybox:latest

if [ ${#ENVS[@]} -gt 0 ]; then
  mkdir -p "$IMGDIR/bin"
  { echo '#!/bin/sh'; printf 'exec env'; printf ' %q' "${ENVS[@]}" "$RUNTIME"; echo ' "$@"'; } >"$IMGDIR/bin/$NAME"
  chmod 755 "$IMGDIR/bin/$NAME"
  RUNTIME=$IMGDIR/bin/$NAME
  echo "# runtime environment: ${ENVS[*]}"
fi
echo "# runtime: $RUNTIME (name $NAME): $("$RUNTIME" --version 2>&1 | head -n 1)"
pass=0 failed=0 summaries=()
for e in "${ENGINES[@]}"; do
  echo "# === $e ==="
  case $e in
    docker) script=("$HERE/docker.sh" "$RUNTIME" "$NAME" "$IMGDIR/rootfs.tar" "$HERE/seccomp-deny-mkdir.json") ;;
    podman) script=("$HERE/podman.sh" "$RUNTIME" "$NAME" "$IMGDIR/rootfs.tar" "$HERE/seccomp-deny-mkdir.json") ;;
    ctr) script=("$HERE/ctr.sh" "$RUNTIME" "$NAME" "$IMGDIR/oci.tar") ;;
    network) script=("$HERE/network.sh" "$RUNTIME" "$NAME" "$IMGDIR/rootfs.tar") ;;
  esac
  out=$(mktemp)
  start=$SECONDS
  timeout 3600 bash "${script[@]}" </dev/null | tee "$out"
  echo "# $e took $((SECONDS - start)) s"
  line=$(grep -E "^$e: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
  if [ -z "$line" ]; then
    line="$e: 0 passed, 1 failed"
    echo "not ok - $e: the engine script ended without a summary"
  fi
  summaries+=("$line ($((SECONDS - start)) s)")
  p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
  pass=$((pass + p)) failed=$((failed + f))
  rm -f "$out"
done
echo "# summary (runtime $NAME):"
printf '#   %s\n' "${summaries[@]}"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
