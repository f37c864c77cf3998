#!/usr/bin/env bash
# End-to-end: `update` on a running container. The new limits are in the
# container's cgroup in the guest (cgroup v2, seen through the container's
# own /sys/fs/cgroup) and in the monitor's host cgroup at cgroupsPath (v1 here).
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
CG=life-e2e-update/u1
HOST=/sys/fs/cgroup

# guest FILE: the container's cgroup file as the container sees it.
guest() { timeout 60 "$CHRUNC" --root "$ROOT" exec u1 cat "/sys/fs/cgroup/$1" </dev/null; }
host() { cat "$HOST/$1/$CG/$2" 2>&1; }

make_bundle "$B" 'sleep 1000'
edit_config "$B" "c['linux']['cgroupsPath']='/$CG'; c['linux']['namespaces'].append({'type':'cgroup'}); c['mounts'].append({'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup','options':['nosuid','noexec','nodev','relatime','ro']})"
case_begin "update --memory, --cpu-quota/--cpu-period, --pids-limit"
rt run -d -b "$B" u1 </dev/null >/dev/null 2>"$WORK/err"
expect_eq "container running" running "$(state_field u1 status)"
expect_eq "the guest's cgroup is v2" cgroup2 "$(timeout 60 "$CHRUNC" --root "$ROOT" exec u1 awk '$2 == "/sys/fs/cgroup" {print $3}' /proc/mounts </dev/null)"
rt update --memory 400M --cpu-period 100000 --cpu-quota 50000 --pids-limit 42 u1
expect_eq "update exit code" 0 $?
expect_eq "guest memory.max" 419430400 "$(guest memory.max)"
expect_eq "guest cpu.max" "50000 100000" "$(guest cpu.max)"
expect_eq "guest pids.max" 42 "$(guest pids.max)"
expect_eq "host memory.limit_in_bytes" 419430400 "$(host memory memory.limit_in_bytes)"
expect_eq "host cpu.cfs_quota_us" 50000 "$(host cpu cpu.cfs_quota_us)"
expect_eq "host cpu.cfs_period_us" 100000 "$(host cpu cpu.cfs_period_us)"
expect_eq "host pids.max" 42 "$(host pids pids.max)"
# The guest really holds the container to the pids limit.
out=$(timeout 60 "$CHRUNC" --root "$ROOT" exec u1 sh -c 'for i in $(seq 60); do sleep 5 & done 2>&1 | grep -c "fork\|resource\|Resource"' </dev/null)
[ "${out:-0}" -gt 0 ] && ok "fork refused over pids.max ($out)" || fail "no fork failure: $out"
case_end

case_begin "update --resources - (JSON on stdin)"
echo '{"memory":{"limit":536870912},"cpu":{"quota":20000,"period":50000},"pids":{"limit":77}}' | rt update --resources - u1
expect_eq "update exit code" 0 $?
expect_eq "guest memory.max" 536870912 "$(guest memory.max)"
expect_eq "guest cpu.max" "20000 50000" "$(guest cpu.max)"
expect_eq "guest pids.max" 77 "$(guest pids.max)"
expect_eq "host memory.limit_in_bytes" 536870912 "$(host memory memory.limit_in_bytes)"
expect_eq "host cpu.cfs_quota_us" 20000 "$(host cpu cpu.cfs_quota_us)"
expect_eq "host cpu.cfs_period_us" 50000 "$(host cpu cpu.cfs_period_us)"
expect_eq "host pids.max" 77 "$(host pids pids.max)"
echo '{"memory":{"limit":"lots"}}' | rt update --resources - u1 2>"$WORK/err"
expect_eq "bad JSON fails" 1 $?
[ "$(wc -l <"$WORK/err")" = 1 ] && ok "one-line error: $(cat "$WORK/err")" || fail "error: $(cat "$WORK/err")"
expect_eq "guest memory.max unchanged" 536870912 "$(guest memory.max)"
case_end

# update --memory under the VM floor (guest RAM + the VMM's overhead) is
# covered in lifecycle.sh ("update: the limit inside the VM as asked, the VM
# floor on the host").

rt delete --force u1
for c in memory cpu pids; do [ -e "$HOST/$c/$CG" ] && fail "host cgroup $c/$CG left"; done
rmdir "$HOST"/*/life-e2e-update 2>/dev/null
leak_check u1

finish
