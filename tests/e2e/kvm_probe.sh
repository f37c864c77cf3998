#!/usr/bin/env bash
# A host whose KVM cannot run our guest (issue: /dev/kvm that opens while
# QEMU aborts on it, or runs a guest that never prints a byte). The KVM half
# of QEMU is played by two wrappers around the real QEMU, which behave as
# measured on such hosts when given -accel kvm and pass TCG runs through
# unchanged:
#   qemu-abort   prints QEMU's kvm_buf_set_msrs assertion and dies of SIGABRT
#   qemu-silent  runs the VM stopped (-S, under TCG): QMP answers, the guest
#                never does
# kvm_device names a regular file, so the device check (which needs a real
# /dev/kvm) leaves the verdict to the boot probe: that is what is tested.
# Each case checks the fallback (accel auto), the fast failure (accel kvm),
# the boot deadline, `ch-runc check`, and that nothing is left behind.
source "$(dirname "$0")/lib.sh"
set -o pipefail

QEMU=$(command -v qemu-system-x86_64) || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
B=$WORK/bundle
make_bundle "$B" 'echo hello-from-the-vm'
: >"$WORK/fake-kvm"

# The wrappers count their KVM starts in $WORK/<name>.kvm-starts.
cat >"$WORK/qemu-abort" <<SH
#!/bin/bash
case " \$* " in
*" -accel kvm "*)
  echo start >>"$WORK/qemu-abort.kvm-starts"
  echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion \\\`ret == cpu->kvm_msr_buf->nmsrs' failed." >&2
  kill -ABRT \$\$ ;;
esac
exec "$QEMU" "\$@"
SH
cat >"$WORK/qemu-silent" <<SH
#!/bin/bash
case " \$* " in
*" -accel kvm "*)
  echo start >>"$WORK/qemu-silent.kvm-starts"
  args=()
  for a in "\$@"; do
    case "\$a" in kvm) a=tcg ;; host) a=max ;; esac
    args+=("\$a")
  done
  exec "$QEMU" "\${args[@]}" -S ;;
esac
exec "$QEMU" "\$@"
SH
# Under TCG too: a guest that never runs, for the boot deadline.
cat >"$WORK/qemu-frozen" <<SH
#!/bin/bash
exec "$QEMU" "\$@" -S
SH
chmod 755 "$WORK"/qemu-abort "$WORK"/qemu-silent "$WORK"/qemu-frozen

# write_config QEMU ACCEL [extra yaml lines]
write_config() {
  cat >"$CHRUNC_CONFIG" <<YAML
kernel: $GUEST_DIR/vmlinux
initramfs: $GUEST_DIR/initramfs.cpio
qemu_binary: $1
accel: $2
kvm_device: $WORK/fake-kvm
probe_cache_dir: $WORK/probe
kvm_probe_timeout: 8
YAML
  shift 2
  for line in "$@"; do echo "$line" >>"$CHRUNC_CONFIG"; done
}
starts() { cat "$WORK/$1.kvm-starts" 2>/dev/null | wc -l; }
# nothing of the probe left: no VMM of ours, no boot dir, no socket
probe_clean() {
  local left
  left=$(pgrep -af "$WORK/qemu-|$WORK/probe" || true)
  [ -z "$left" ] && ok "no probe process left" || fail "processes left: $left"
  # the verdicts and the probe lock stay (the cache); nothing else may
  left=$(find "$WORK/probe" -mindepth 2 ! -name "*.verdict" ! -name probe.lock 2>/dev/null || true)
  [ -z "$left" ] && ok "no probe VM dir left" || fail "left in the probe cache: $left"
}

case_begin "auto: QEMU aborts under KVM -> TCG, said once, cached"
write_config "$WORK/qemu-abort" auto
out=$(rt run --bundle "$B" k1 </dev/null 2>"$WORK/err"); rc=$?
expect_eq "run exits 0 (TCG)" 0 "$rc"
expect_eq "the container ran" hello-from-the-vm "$out"
n=$(grep -c "falling back to QEMU with TCG" "$WORK/err")
expect_eq "one fallback line" 1 "$n"
grep -q "falling back.*kvm_buf_set_msrs: Assertion" "$WORK/err" && ok "it names QEMU's message" || fail "no QEMU message: $(cat "$WORK/err")"
expect_eq "one KVM start (the probe)" 1 "$(starts qemu-abort)"
leak_check k1
out=$(rt run --bundle "$B" k2 </dev/null 2>"$WORK/err"); rc=$?
expect_eq "second run exits 0" 0 "$rc"
expect_eq "no second probe" 1 "$(starts qemu-abort)"
grep -q "falling back" "$WORK/err" && fail "the reason was said again: $(cat "$WORK/err")" || ok "the fallback was said once"
"$CHRUNC" check >"$WORK/check" 2>&1
grep -q "^kvm: cannot be used: KVM cannot run the guest: qemu: exited during start: .*Assertion.* (verdict cached" "$WORK/check" && ok "check: cached verdict" || fail "check: $(cat "$WORK/check")"
grep -q "^hypervisor: auto -> QEMU with TCG" "$WORK/check" && ok "check: auto uses TCG" || fail "check: $(cat "$WORK/check")"
leak_check k2
probe_clean
case_end

case_begin "accel kvm: QEMU aborts -> create fails fast, nothing left"
rm -rf "$WORK/probe"
write_config "$WORK/qemu-abort" kvm
start=$SECONDS
rt create --bundle "$B" k3 </dev/null >/dev/null 2>"$WORK/err"; rc=$?
[ "$rc" != 0 ] && ok "create fails ($rc)" || fail "create succeeded"
grep -q "accel kvm configured, but KVM cannot run the guest: qemu: exited during start: .*Assertion" "$WORK/err" && ok "says why" || fail "error: $(cat "$WORK/err")"
[ $((SECONDS - start)) -lt 60 ] && ok "within the hang guard" || fail "took $((SECONDS - start)) s"
leak_check k3
rt create --bundle "$B" k4 </dev/null >/dev/null 2>"$WORK/err"; rc=$?
[ "$rc" != 0 ] && ok "again fails ($rc), from the cached verdict" || fail "create succeeded"
expect_eq "no second probe" 2 "$(starts qemu-abort)"
leak_check k4
probe_clean
case_end

case_begin "auto: the guest stays silent under KVM -> TCG after the probe's deadline"
write_config "$WORK/qemu-silent" auto
out=$(rt run --bundle "$B" k5 </dev/null 2>"$WORK/err"); rc=$?
expect_eq "run exits 0 (TCG)" 0 "$rc"
expect_eq "the container ran" hello-from-the-vm "$out"
grep -q "falling back to QEMU with TCG.*no sign of life from the guest within 8 s" "$WORK/err" && ok "says why" || fail "stderr: $(cat "$WORK/err")"
expect_eq "one probe" 1 "$(starts qemu-silent)"
leak_check k5
probe_clean
case_end

case_begin "accel kvm: the guest stays silent -> fails with the probe's reason"
write_config "$WORK/qemu-silent" kvm
rt run --bundle "$B" k6 </dev/null >/dev/null 2>"$WORK/err"; rc=$?
[ "$rc" != 0 ] && ok "run fails ($rc)" || fail "run succeeded"
grep -q "accel kvm configured, but KVM cannot run the guest: no sign of life from the guest within 8 s" "$WORK/err" && ok "says why" || fail "error: $(cat "$WORK/err")"
expect_eq "cached: no second probe" 1 "$(starts qemu-silent)"
leak_check k6
probe_clean
case_end

case_begin "boot_timeout: a guest that never answers is torn down, naming the phase"
write_config "$WORK/qemu-frozen" tcg "boot_timeout: 6"
start=$SECONDS
rt run --bundle "$B" k7 </dev/null >/dev/null 2>"$WORK/err"; rc=$?
[ "$rc" != 0 ] && ok "run fails ($rc)" || fail "run succeeded"
grep -q "boot: the guest did not answer within 6 s (boot_timeout), phase agent-ready; the console stayed silent" "$WORK/err" && ok "names the phase and the console" || fail "error: $(cat "$WORK/err")"
[ $((SECONDS - start)) -lt 60 ] && ok "within the hang guard" || fail "took $((SECONDS - start)) s"
leak_check k7
probe_clean
case_end

finish
