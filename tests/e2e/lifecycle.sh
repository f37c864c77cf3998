#!/usr/bin/env bash
# End-to-end: the lifecycle of busybox containers in real VMs.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle

case_begin "run: output and exit code 3"
make_bundle "$B" 'echo hello; echo oops >&2; exit 3'
out=$(rt run -b "$B" c1 2>"$WORK/err"); code=$?
expect_eq "exit code" 3 "$code"
expect_eq "stdout" hello "$out"
expect_eq "stderr" oops "$(cat "$WORK/err")"
leak_check c1
case_end

case_begin "run: exit 0 and the guest kernel"
make_bundle "$B" 'uname -r; exit 0'
out=$(rt run -b "$B" c2 </dev/null); code=$?
expect_eq "exit code" 0 "$code"
[ -n "$out" ] && ok "guest kernel $out" || fail "no uname output"
leak_check c2
case_end

case_begin "run: killed by SIGKILL is 137"
make_bundle "$B" 'sleep 1000'
rt run -b "$B" c3 </dev/null &
runner=$!
for _ in $(seq 100); do [ "$(state_field c3 status 2>/dev/null)" = running ] && break; sleep 0.2; done
rt kill c3 KILL
wait $runner; code=$?
expect_eq "exit code" 137 "$code"
leak_check c3
case_end

case_begin "run: stdin reaches the container"
make_bundle "$B" 'read line; echo "got $line"'
out=$(echo ping | rt run -b "$B" c4); code=$?
expect_eq "stdout" "got ping" "$out"
leak_check c4
case_end

case_begin "create/start/state/kill/delete"
make_bundle "$B" 'echo started; sleep 1000'
rt create -b "$B" --pid-file "$WORK/pid" c5 >"$WORK/out" 2>"$WORK/err" </dev/null; code=$?
expect_eq "create exit code" 0 "$code"
expect_eq "create prints nothing" "" "$(cat "$WORK/err")"
expect_eq "status after create" created "$(state_field c5 status)"
expect_eq "pid file is state.pid" "$(state_field c5 pid)" "$(cat "$WORK/pid")"
[ "$(tail -c1 "$WORK/pid" | od -An -c | tr -d ' ')" != '\n' ] && ok "no newline in pid file" || fail "newline in pid file"
rt create -b "$B" c5 2>"$WORK/err"; expect_eq "duplicate id fails" 1 $?
rt start c5; expect_eq "start exit code" 0 $?
expect_eq "status after start" running "$(state_field c5 status)"
rt start c5 2>/dev/null; expect_eq "second start fails" 1 $?
rt delete c5 2>/dev/null; expect_eq "delete of running fails" 1 $?
rt kill c5 KILL; expect_eq "kill exit code" 0 $?
for _ in $(seq 100); do [ "$(state_field c5 status)" = stopped ] && break; sleep 0.2; done
expect_eq "status after kill" stopped "$(state_field c5 status)"
expect_eq "output reached create's stdout" started "$(cat "$WORK/out")"
rt kill c5 KILL 2>/dev/null; expect_eq "kill of stopped fails" 1 $?
rt delete c5; expect_eq "delete exit code" 0 $?
rt state c5 2>/dev/null; expect_eq "state of deleted fails" 1 $?
leak_check c5
case_end

case_begin "delete of a created container, delete --force of a running one"
make_bundle "$B" 'sleep 1000'
rt create -b "$B" c6 </dev/null >/dev/null 2>&1
rt delete c6; expect_eq "delete created" 0 $?
leak_check c6
rt run -d -b "$B" c7 </dev/null >/dev/null 2>&1; expect_eq "run -d" 0 $?
expect_eq "running" running "$(state_field c7 status)"
rt delete --force c7; expect_eq "delete --force" 0 $?
leak_check c7
case_end

case_begin "exec, pause/resume, ps, events"
make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" c8 </dev/null >/dev/null 2>&1
out=$(rt exec c8 sh -c 'echo from exec; exit 5' </dev/null); code=$?
expect_eq "exec output" "from exec" "$out"
expect_eq "exec exit code" 5 "$code"
out=$(echo data | rt exec c8 cat); expect_eq "exec stdin" data "$out"
rt exec -d --pid-file "$WORK/epid" c8 sleep 2 </dev/null; expect_eq "exec -d" 0 $?
[ -s "$WORK/epid" ] && ok "exec pid file" || fail "no exec pid file"
out=$(rt ps --format json c8); case $out in \[[0-9]*\]) ok "ps json $out" ;; *) fail "ps json: $out" ;; esac
# as runc: the host pids of the container's processes (their stand-ins), so
# not the monitor (state.pid), which is in the container's cgroup too
mpid=$(state_field c8 pid)
case ",$(tr -d '[]\n' <<<"$out")," in *",$mpid,"*) fail "ps json $out lists the monitor $mpid" ;; *) ok "ps json leaves the monitor $mpid out" ;; esac
sleeps=0
for p in $(tr -d '[]' <<<"$out" | tr ',' ' '); do
  [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 1000 " ] && sleeps=$((sleeps + 1))
done
expect_eq "ps json lists the stand-in of 'sleep 1000'" 1 "$sleeps"
rt ps c8 | grep -q sleep && ok "ps table" || fail "ps table"
rt events --stats c8 | grep -q '"type":"stats"' && ok "events --stats" || fail "events --stats"
rt pause c8; expect_eq "pause" 0 $?
expect_eq "paused" paused "$(state_field c8 status)"
rt resume c8; expect_eq "resume" 0 $?
expect_eq "running again" running "$(state_field c8 status)"
rt delete --force c8
leak_check c8
case_end

case_begin "bind mount read and written both ways"
mkdir -p "$WORK/shared"
echo "from host" >"$WORK/shared/in.txt"
make_bundle "$B" 'cat /mnt/shared/in.txt; echo "from guest" > /mnt/shared/out.txt'
edit_config "$B" "c['mounts'].append({'destination':'/mnt/shared','type':'bind','source':'$WORK/shared','options':['rbind','rw']})"
out=$(rt run -b "$B" c9 </dev/null); code=$?
expect_eq "read host file" "from host" "$out"
expect_eq "written file on host" "from guest" "$(cat "$WORK/shared/out.txt" 2>/dev/null)"
leak_check c9
case_end

case_begin "console socket"
make_bundle "$B" 'tty; echo hello-tty'
edit_config "$B" "c['process']['terminal']=True"
python3 "$E2E_SRC/console_receiver.py" "$WORK/console.sock" >"$WORK/tty-out" &
recv=$!
for _ in $(seq 50); do [ -S "$WORK/console.sock" ] && break; sleep 0.1; done
rt run -b "$B" --console-socket "$WORK/console.sock" c10 </dev/null; code=$?
wait $recv
expect_eq "exit code" 0 "$code"
grep -q hello-tty "$WORK/tty-out" && ok "output through the pty" || fail "pty output: $(cat "$WORK/tty-out")"
grep -q /dev/pts "$WORK/tty-out" && ok "a tty in the container" || fail "no tty"
leak_check c10
case_end

case_begin "update: the limit inside the VM as asked, the VM floor on the host"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "c['mounts'].append({'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup','options':['nosuid','noexec','nodev','ro']})"
rt run -d -b "$B" c12 </dev/null >/dev/null 2>&1
inside() { rt exec c12 sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes' </dev/null; }
host() { cat /sys/fs/cgroup/memory/c12/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/c12/memory.max; }
rt update --memory 64m c12 2>"$WORK/err"; expect_eq "update --memory 64m" 0 $?
expect_eq "limit inside" 67108864 "$(inside)"
# the VM has the default 256 MiB: floor 256 + 64 MiB
expect_eq "host limit raised to the floor" $((320 << 20)) "$(host)"
grep -q "under the VM floor of 320 MiB" "$WORK/err" && ok "update warns" || fail "no warning: $(cat "$WORK/err")"
rt update --memory 1g c12; expect_eq "update --memory 1g" 0 $?
expect_eq "limit inside" $((1 << 30)) "$(inside)"
expect_eq "host limit as asked" $((1 << 30)) "$(host)"
rt delete --force c12
leak_check c12
case_end

case_begin "create: a limit under the VM floor holds inside, the host gets the floor"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "c['mounts'].append({'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup','options':['nosuid','noexec','nodev','ro']}); c['linux'].setdefault('resources',{})['memory']={'limit':64<<20}"
rt run -d -b "$B" c13 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run -d with a 64 MiB limit" 0 $?
grep -q "memory limit 64 MiB is under the VM floor of 192 MiB" "$WORK/err" && ok "create warns" || fail "no warning: $(cat "$WORK/err")"
expect_eq "limit inside" 67108864 "$(rt exec c13 sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes' </dev/null)"
expect_eq "host limit: the floor" $((192 << 20)) "$(cat /sys/fs/cgroup/memory/c13/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/c13/memory.max)"
# the container is held to 64 MiB: 8 MB fits, 80 MB is OOM-killed inside
# (busybox awk fills the string in C: quick under TCG, unlike a shell loop)
alloc() { rt exec c13 awk "BEGIN { s = sprintf(\"%$1s\", \"\"); print length(s) }" </dev/null 2>/dev/null; }
expect_eq "8 MB fits under 64 MiB" 8000000 "$(alloc 8000000)"
out=$(alloc 80000000); code=$?
[ "$code" -ne 0 ] && [ "$out" != 80000000 ] && ok "80 MB is OOM-killed inside (exit $code)" || fail "80 MB held under a 64 MiB limit (exit $code, $out)"
expect_eq "still running" running "$(rt state c13 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
rt delete --force c13
leak_check c13
case_end

case_begin "the VMM keeps no resident copy of the boot images once the guest is up"
make_bundle "$B" 'sleep 1000'
# A copy of the image of its own: a page that another VMM maps too (other
# suites' VMs booting at once) is left to whichever unmaps last. Beside the
# build's image, on its disk: a tmpfs copy (/tmp may be one) is shmem, which
# cannot be paged out without swap.
image=$(dirname "$GUEST_DIR")/e2e-pageout.$$
mkdir -p "$image"
cp "$GUEST_DIR/vmlinux" "$GUEST_DIR/initramfs.cpio" "$image/"
kernel=$image/vmlinux
initramfs=$image/initramfs.cpio
printf 'kernel: %s\ninitramfs: %s\n' "$kernel" "$initramfs" >"$WORK/image.yaml"
CHRUNC_CONFIG=$WORK/image.yaml rt run -d -b "$B" lc-pageout </dev/null >/dev/null 2>&1
# QEMU's command line names the container's console log, in its state dir
vmm=$(pgrep -f "qemu-system.*$ROOT/lc-pageout/" | head -1)
# (its config names no pool: a cold boot, whatever CHRUNC_E2E_POOL says)
maps=$(awk -v a="$kernel" -v b="$initramfs" '$6 == a || $6 == b' "/proc/$vmm/maps" 2>/dev/null | wc -l)
[ "$maps" -gt 0 ] && ok "QEMU ($vmm) maps the images ($maps mappings)" || fail "no mapping of $kernel in QEMU [$vmm]: the check below would prove nothing"
rss=$(awk -v a="$kernel" -v b="$initramfs" '/^[0-9a-f]+-[0-9a-f]+ /{m = ($6 == a || $6 == b)} m && /^Rss:/{t += $2} END{print t + 0}' "/proc/$vmm/smaps")
size=$((($(stat -c %s "$kernel") + $(stat -c %s "$initramfs")) / 1024))
[ "$rss" -lt $((size / 10)) ] && ok "resident: $rss KiB of $size KiB" || fail "QEMU still holds $rss KiB of the $size KiB boot images"
rt delete --force lc-pageout
rm -rf "$image" "$WORK/image.yaml"
leak_check lc-pageout
case_end

case_begin "the guest kernel takes the boot parameters its image lists, and no others"
# guest/kernel/boot-params: lapic_timer_hz (under TCG) skips the APIC timer
# calibration; virtio_mmio.queue_size_max=128 keeps virtio_console from
# filling 2 x 1024 pages of receive buffers (kmalloc-4k in the guest).
# Our kernel (release *-ch-runc) must list both; QEMU passes them (it says
# pci=off, cloud-hypervisor does not), lapic_timer_hz under TCG only (QEMU
# then says tsc_early_khz, which this host's known TSC gives it).
make_bundle "$B" 'sleep 1000'
rt run -d -b "$B" lc-kparams </dev/null >/dev/null 2>&1
cmdline=$(rt exec lc-kparams cat /proc/cmdline </dev/null)
case "$(cat "$GUEST_DIR/kernel-release" 2>/dev/null)" in
*-ch-runc)
  for name in lapic_timer_hz virtio_mmio.queue_size_max; do
    grep -qx "$name" "$GUEST_DIR/kernel-params" 2>/dev/null || fail "our kernel's image does not list $name in kernel-params"
  done ;;
esac
case "$cmdline" in
*console=ttyS0*) ;;
*) fail "no guest command line read: [$cmdline]" ;;
esac
if ! grep -qx virtio_mmio.queue_size_max "$GUEST_DIR/kernel-params" 2>/dev/null; then
  ok "this image's kernel takes none ($GUEST_DIR/kernel-params lists none)"
elif [[ "$cmdline" != *" pci=off"* ]]; then
  ok "not QEMU (cloud-hypervisor's virtio-pci): no parameters to pass"
else
  case "$cmdline" in
  *" virtio_mmio.queue_size_max=128"*) ok "the guest booted with virtio_mmio.queue_size_max=128" ;;
  *) fail "no virtio_mmio.queue_size_max in the guest's command line: $cmdline" ;;
  esac
  expect_eq "the guest kernel took it" 128 \
    "$(rt exec lc-kparams cat /sys/module/virtio_mmio/parameters/queue_size_max </dev/null)"
  bufs=$(rt exec lc-kparams cat /proc/slabinfo </dev/null | awk '$1 == "kmalloc-4k" {print $2}')
  [ -n "$bufs" ] && [ "$bufs" -lt 512 ] && ok "kmalloc-4k: $bufs objects (2056 with 1024-entry queues)" ||
    fail "kmalloc-4k holds [$bufs] objects: the receive queues are full size"
  case "$cmdline" in
  *" tsc_early_khz="*" lapic_timer_hz=1000000000"*) ok "TCG: the guest is told QEMU's APIC timer frequency" ;;
  *" tsc_early_khz="*) fail "TCG, no lapic_timer_hz in the guest's command line: $cmdline" ;;
  *" lapic_timer_hz="*) fail "lapic_timer_hz without TCG: $cmdline" ;;
  *) ok "KVM: no lapic_timer_hz (the TSC-deadline timer needs no calibration)" ;;
  esac
fi
rt delete --force lc-kparams
# An image without a kernel-params file (Debian's kernel, or one's own) gets
# none of them: a kernel that does not define them would pass them to the
# agent's environment or warn about them.
image=$WORK/no-params-image
mkdir -p "$image"
cp "$GUEST_DIR/vmlinux" "$GUEST_DIR/initramfs.cpio" "$image/"
printf 'kernel: %s\ninitramfs: %s\n' "$image/vmlinux" "$image/initramfs.cpio" >"$WORK/image.yaml"
CHRUNC_CONFIG=$WORK/image.yaml rt run -d -b "$B" lc-noparams </dev/null >/dev/null 2>&1
cmdline=$(rt exec lc-noparams cat /proc/cmdline </dev/null)
case "$cmdline" in
*console=ttyS0*lapic_timer_hz* | *console=ttyS0*virtio_mmio.queue_size_max*)
  fail "an image without kernel-params got them: $cmdline" ;;
*console=ttyS0*) ok "an image without kernel-params boots without them" ;;
*) fail "no guest command line read: [$cmdline]" ;;
esac
rt delete --force lc-noparams
rm -rf "$image" "$WORK/image.yaml"
leak_check lc-kparams
leak_check lc-noparams
case_end

case_begin "errors"
rt state nope 2>"$WORK/err"; expect_eq "state unknown id" 1 $?
expect_eq "message" 'container "nope" does not exist' "$(tail -1 "$WORK/err" | sed 's/.*msg="\(.*\)"/\1/; s/\\"/"/g')"
rt delete nope 2>/dev/null; expect_eq "delete unknown id" 1 $?
rt delete --force nope 2>"$WORK/err"; expect_eq "delete --force of an unknown id succeeds (runc)" 0 $?
expect_eq "... silently" "" "$(cat "$WORK/err")"
rt kill nope 2>/dev/null; expect_eq "kill unknown id" 1 $?
make_bundle "$B" 'true'
edit_config "$B" "c['root']['path']='does-not-exist'"
rt create -b "$B" c11 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create with a missing rootfs fails" 1 $?
[ "$(wc -l <"$WORK/err")" = 1 ] && ok "one-line error: $(cat "$WORK/err")" || fail "error: $(cat "$WORK/err")"
leak_check c11
case_end

finish
