#!/usr/bin/env bash
# What a docker user feels: `docker run --rm IMAGE echo hi`, timed as a whole
# client command, alternately with runc and with ch-runc registered in one
# dockerd of its own (tests/engines/lib.sh starts and stops it; no network).
#   docker_run.sh CH_RUNC RUNS [CHRUNC_CONFIG]   (runc: docker's own, /usr/sbin/runc)
# Prints "runc SECONDS" and "ch-runc SECONDS" lines, one per run; a failed
# run prints "NAME failed". Leaves no container, daemon or directory.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$TOP/tests/engines/lib.sh"
CH_RUNC=$1 RUNS=$2
[ -n "${3:-}" ] && export CHRUNC_CONFIG=$3
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || { echo "no docker.io installed" >&2; exit 77; }

WORK=$(mktemp -d /tmp/bench-docker.XXXXXX)
IDS=$WORK/ids
: >"$IDS"
CGPARENT=bench-docker-$$
cleanup() {
  trap '' INT TERM; trap - EXIT
  dockerd_stop "$IDS"
  force_cleanup "$WORK" "$IDS"
  remove_new_cgroups "$WORK" "$CGPARENT"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
snapshot_before "$WORK"

"$TOP/scripts/make-bundle.sh" "$WORK/bundle" >/dev/null
tar -C "$WORK/bundle/rootfs" --numeric-owner -cf "$WORK/rootfs.tar" .
# ch-runc registered by name; runc is docker's own default, given its path
dockerd_start "$WORK/docker" ch-runc "$CH_RUNC" "$CGPARENT" >"$WORK/start.log" 2>&1 ||
  { cat "$WORK/start.log" >&2; exit 1; }
D() { timeout -k 10 "$CMD_TIMEOUT" "${DOCKER[@]}" "$@"; }
D import -c 'CMD ["sh"]' "$WORK/rootfs.tar" bench/busybox:latest >/dev/null || exit 1

once() { # NAME RUNTIME
  local begin end out
  begin=$(date +%s.%N)
  out=$(D run --rm --network none --runtime "$2" bench/busybox:latest echo hi 2>&1)
  end=$(date +%s.%N)
  if [ "$out" = hi ]; then echo "$1 $(echo "$end - $begin" | bc)"; else echo "$1 failed"; echo "$out" >&2; fi
}
# one unmeasured run of each: the image's first use
once warmup runc >/dev/null
once warmup ch-runc >/dev/null
for _ in $(seq "$RUNS"); do
  once runc runc
  once ch-runc ch-runc
done
