#!/usr/bin/env bash
# End-to-end: 10 containers at once. Created and started concurrently, each
# writes its id into a shared host directory and stays up; all running and
# listed; killed and deleted concurrently; nothing left after.
. "$(dirname "$0")/lib.sh"

N=10
B=$WORK/bundle
SHARED=$WORK/shared
mkdir -p "$SHARED"
ids=$(seq -f "m%g" 1 $N)

# bounded JOB-NAME SECONDS COMMAND...: runs COMMAND in the background, killed
# after SECONDS; its exit code ends up in $WORK/rc.JOB-NAME.
bounded() {
  local name=$1 secs=$2
  shift 2
  (
    timeout -k 5 "$secs" "$@" >"$WORK/out.$name" 2>&1
    echo $? >"$WORK/rc.$name"
  ) &
}

# all_rc PREFIX: "ID=RC" for every id whose job did not exit 0 (empty if all did).
all_rc() {
  local id bad=""
  for id in $ids; do
    rc=$(cat "$WORK/rc.$1-$id" 2>/dev/null || echo none)
    [ "$rc" = 0 ] || bad="$bad $id=$rc:$(tr '\n' ' ' <"$WORK/out.$1-$id" 2>/dev/null)"
  done
  echo "$bad"
}

case_begin "$N containers created and started at once"
make_bundle "$B" 'echo $CID > /mnt/shared/$CID; exec sleep 1000'
edit_config "$B" "c['mounts'].append({'destination':'/mnt/shared','type':'bind','source':'$SHARED','options':['rbind','rw']})"
# One bundle per container (its own env), sharing the rootfs.
python3 - "$B/config.json" "$WORK" $ids <<'PY'
import json, os, sys
src, work, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
for cid in ids:
    c = json.load(open(src))
    c["root"]["path"] = os.path.dirname(src) + "/rootfs"
    c["process"]["env"].append("CID=" + cid)
    os.makedirs(f"{work}/b-{cid}", exist_ok=True)
    json.dump(c, open(f"{work}/b-{cid}/config.json", "w"))
PY
t0=$(date +%s)
# 600 s: a hang guard for 10 boots sharing 2 cores under TCG, not a speed
# test (bench/ measures start times: its lifecycle and density rows).
for id in $ids; do
  bounded "run-$id" 600 "$CHRUNC" --root "$ROOT" run -d -b "$WORK/b-$id" "$id"
done
wait
echo "  $N run -d in $(($(date +%s) - t0)) s"
expect_eq "every run -d succeeded" "" "$(all_rc run)"
expect_eq "list shows them" $N "$(rt list -q | grep -c '^m[0-9]*$')"
rt list --format json >"$WORK/list.json"
expect_eq "all running" $N "$(python3 -c 'import json,sys; print(sum(1 for s in json.load(open(sys.argv[1])) if s["status"]=="running"))' "$WORK/list.json")"
expect_eq "distinct monitor pids" $N "$(python3 -c 'import json,sys; print(len({s["pid"] for s in json.load(open(sys.argv[1]))}))' "$WORK/list.json")"
# Each wrote its id (bounded wait: the write races the start).
for _ in $(seq 50); do [ "$(ls "$SHARED" | wc -l)" = $N ] && break; sleep 0.2; done
written=0
for id in $ids; do [ "$(cat "$SHARED/$id" 2>/dev/null)" = "$id" ] && written=$((written + 1)); done
expect_eq "each wrote its id on the host" $N "$written"
if [ -n "${CHRUNC_E2E_POOL:-}" ] && [ "$CHRUNC_E2E_POOL" != 0 ]; then
  # With a pool (tests/e2e/lib.sh): every standby ready at the start is taken
  # (a refill may serve a late create too); the rest booted cold.
  n_warm=$(grep -l standby-claimed "$ROOT"/*/timing.log 2>/dev/null | wc -l)
  [ "$n_warm" -ge "$CHRUNC_E2E_POOL" ] && ok "$n_warm warm, $((N - n_warm)) cold" ||
    fail "$n_warm warm with a pool of $CHRUNC_E2E_POOL"
fi
case_end

case_begin "$N containers killed and deleted at once (half kill + delete, half delete --force)"
t0=$(date +%s)
half=$(echo "$ids" | head -$((N / 2)))
rest=$(echo "$ids" | tail -n +$((N / 2 + 1)))
for id in $half; do
  bounded "stop-$id" 60 sh -c "'$CHRUNC' --root '$ROOT' kill $id KILL && \
    for i in \$(seq 150); do '$CHRUNC' --root '$ROOT' state $id | grep -q '\"stopped\"' && \
    exec '$CHRUNC' --root '$ROOT' delete $id; sleep 0.2; done; exit 1"
done
for id in $rest; do bounded "stop-$id" 60 "$CHRUNC" --root "$ROOT" delete --force "$id"; done
wait
echo "  $N stopped and deleted in $(($(date +%s) - t0)) s"
expect_eq "every kill+delete / delete --force succeeded" "" "$(all_rc stop)"
# list's own status too: a failing list prints nothing either
expect_eq "list is empty" "0:" "$(out=$(rt list -q 2>&1); echo "$?:$out")"
for id in $ids; do leak_check "$id"; done
case_end

finish
