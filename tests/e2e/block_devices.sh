#!/usr/bin/env bash
# End-to-end: host block devices in linux.devices reach the container as
# virtio-blk disks (runtime/host/host_block_devices.hpp, agent/server/guest_devices.hpp):
# read and written, the write on the host after the container stops; a
# device the cgroup rules give no "w" is opened read-only by the host (the
# VMM holds no writable fd of it, and writes fail inside); two at once in spec
# order; a host-only char device and more disks than microvm has slots are
# refused with one line; nothing stays attached or open after delete.
. "$(dirname "$0")/lib.sh"
command -v losetup >/dev/null || { echo "SKIP: no losetup"; exit 77; }

B=$WORK/bundle
LOOPS=()
new_loop() { # FILE TEXT: a 16 MiB file starting with TEXT, on a new loop device
  truncate -s 16M "$1"
  printf '%s' "$2" | dd of="$1" conv=notrunc status=none
  local dev
  dev=$(losetup --find --show "$1") || return 1
  LOOPS+=("$dev")
  echo "$dev"
}
cleanup_loops() { local d; for d in "${LOOPS[@]}"; do losetup -d "$d" 2>/dev/null; done; }
trap cleanup_loops EXIT
numbers() { stat -c '%t %T' "$1" | { read -r M m; echo "$((16#$M)) $((16#$m))"; }; }

# device_entry PATH DEV MODE GID: a linux.devices entry for host DEV at PATH (MODE octal)
device_entry() {
  local n
  read -r -a n <<<"$(numbers "$2")"
  echo "{\"path\":\"$1\",\"type\":\"b\",\"major\":${n[0]},\"minor\":${n[1]},\"fileMode\":$((8#$3)),\"uid\":0,\"gid\":$4}"
}
rule_entry() { # DEV ACCESS
  local n
  read -r -a n <<<"$(numbers "$1")"
  echo "{\"allow\":true,\"type\":\"b\",\"major\":${n[0]},\"minor\":${n[1]},\"access\":\"$2\"}"
}
set_devices() { # BUNDLE DEVICES-JSON RULES-JSON
  edit_config "$1" "import json; c['linux']['devices']=json.loads('$2'); c['linux'].setdefault('resources',{})['devices']=[{'allow':False,'access':'rwm'}]+json.loads('$3')" ||
    fail "config.json not edited"
}
# Whether any process holds DEV open (the host's own view).
holders() {
  local dev=$1 fd
  for fd in /proc/[0-9]*/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$dev" ] && echo "${fd%/fd/*}"
  done | sort -u
}

case_begin "a loop device read and written; the write is on the host after the container stops"
L1=$(new_loop "$WORK/one.img" HELLO-BLOCK) || { fail "losetup"; exit 1; }
make_bundle "$B" 'ls -ln /dev/xvdz; head -c 11 /dev/xvdz; echo; echo WRITTEN-IN-VM | dd of=/dev/xvdz bs=512 seek=1 conv=sync status=none; echo rc=$?'
set_devices "$B" "[$(device_entry /dev/xvdz "$L1" 640 6)]" "[$(rule_entry "$L1" rwm)]"
out=$(rt run -b "$B" blk-rw </dev/null 2>"$WORK/err"); rc=$?
echo "$out"
expect_eq "run" 0 "$rc"
[[ $(sed -n 1p <<<"$out") =~ ^brw-r-----\ +1\ 0\ +6\  ]] && ok "node with the spec's mode, uid and gid" \
  || fail "node: $(sed -n 1p <<<"$out")"
expect_eq "contents read inside" HELLO-BLOCK "$(sed -n 2p <<<"$out")"
expect_eq "write inside" rc=0 "$(sed -n 3p <<<"$out")"
expect_eq "the write is in the host's file" WRITTEN-IN-VM "$(dd if="$WORK/one.img" bs=512 skip=1 count=1 status=none | head -c 13)"
expect_eq "no process holds the device" "" "$(holders "$L1")"
leak_check blk-rw
case_end

case_begin "a device the rules give no w: read-only on the host, writes fail inside"
L2=$(new_loop "$WORK/two.img" READ-ONLY-DISK) || { fail "losetup"; exit 1; }
make_bundle "$B" 'head -c 14 /dev/xvdy; echo; echo X | dd of=/dev/xvdy conv=sync status=none 2>&1; echo rc=$?; sleep 1000'
set_devices "$B" "[$(device_entry /dev/xvdy "$L2" 666 0)]" "[$(rule_entry "$L2" rm)]"
rt run -d -b "$B" blk-ro </dev/null >"$WORK/ro.out" 2>&1
expect_eq "run -d" running "$(state_field blk-ro status)"
vmm=$(holders "$L2")
[ -n "$vmm" ] && ok "the VMM holds the device: $vmm" || fail "nobody holds $L2"
writable=""
for p in $vmm; do
  for fd in "$p"/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$L2" ] || continue
    flags=$(awk '/^flags/ {print $2}' "$p/fdinfo/${fd##*/}")
    (( (8#$flags & 3) != 0 )) && writable+="$fd($flags) "
  done
done
expect_eq "no fd of the device is open for writing on the host" "" "$writable"
for _ in $(seq 100); do grep -q '^rc=' "$WORK/ro.out" 2>/dev/null && break; sleep 0.2; done
rt delete --force blk-ro
cat "$WORK/ro.out"
expect_eq "contents read inside" READ-ONLY-DISK "$(sed -n 1p "$WORK/ro.out" 2>/dev/null)"
grep -q '^rc=0' "$WORK/ro.out" && fail "a write succeeded inside" || ok "the write failed inside: $(sed -n 2p "$WORK/ro.out")"
expect_eq "the host's file is unchanged" "READ-ONLY-DISK" "$(head -c 15 "$WORK/two.img" | tr -d '\0')"
expect_eq "no process holds the device" "" "$(holders "$L2")"
leak_check blk-ro
case_end

case_begin "two devices at once, each at its own path"
make_bundle "$B" 'head -c 11 /dev/first; echo; head -c 14 /dev/disks/second; echo'
set_devices "$B" "[$(device_entry /dev/first "$L1" 600 0),$(device_entry /dev/disks/second "$L2" 600 0)]" \
  "[$(rule_entry "$L1" rwm),$(rule_entry "$L2" r)]"
out=$(rt run -b "$B" blk-two </dev/null 2>"$WORK/err"); rc=$?
expect_eq "run" 0 "$rc"
expect_eq "both contents" "HELLO-BLOCK READ-ONLY-DISK" "$(echo $out)"
leak_check blk-two
case_end

case_begin "in a user namespace (no mknod) the guest's disk node is bound at the spec's path"
make_bundle "$B" 'head -c 11 /dev/xvdz; echo'
set_devices "$B" "[$(device_entry /dev/xvdz "$L1" 600 0)]" "[$(rule_entry "$L1" r)]"
edit_config "$B" "c['linux']['namespaces'].append({'type':'user'}); c['linux']['uidMappings']=[{'containerID':0,'hostID':0,'size':65536}]; c['linux']['gidMappings']=[{'containerID':0,'hostID':0,'size':65536}]"
out=$(rt run -b "$B" blk-userns </dev/null 2>"$WORK/err"); rc=$?
expect_eq "run" 0 "$rc"
expect_eq "contents read inside" HELLO-BLOCK "$out"
[ "$rc" = 0 ] || cat "$WORK/err"
leak_check blk-userns
case_end

case_begin "a host-only char device is refused at create, naming it"
make_bundle "$B" 'true'
# /dev/loop-control: the host's loop module has it; the guest loads no loop module.
read -r -a n <<<"$(numbers /dev/loop-control)"
edit_config "$B" "c['linux']['devices']=[{'path':'/dev/loop-control','type':'c','major':${n[0]},'minor':${n[1]}}]"
rt create -b "$B" blk-char </dev/null >/dev/null 2>"$WORK/err"; rc=$?
cat "$WORK/err"
[ "$rc" -ne 0 ] && ok "create fails (exit $rc)" || fail "create succeeded"
expect_eq "one line" 1 "$(wc -l <"$WORK/err")"
grep -q "linux.devices /dev/loop-control (char ${n[0]}:${n[1]}): the VM has no such device" "$WORK/err" \
  && ok "the message names the device" || fail "message: $(cat "$WORK/err")"
rt delete --force blk-char >/dev/null 2>&1
leak_check blk-char
case_end

case_begin "more disks than microvm's virtio slots: one clear error"
make_bundle "$B" 'true'
devs=""; rules="[$(rule_entry "$L2" r)]"
for i in $(seq 22); do devs+="${devs:+,}$(device_entry /dev/d$i "$L2" 600 0)"; done
set_devices "$B" "[$devs]" "$rules"
rt create -b "$B" blk-many </dev/null >/dev/null 2>"$WORK/err"; rc=$?
cat "$WORK/err"
[ "$rc" -ne 0 ] && ok "create fails (exit $rc)" || fail "create succeeded"
expect_eq "one line" 1 "$(wc -l <"$WORK/err")"
grep -q "virtio-mmio slots" "$WORK/err" && ok "the message says why" || fail "message: $(cat "$WORK/err")"
rt delete --force blk-many >/dev/null 2>&1
expect_eq "no process holds the device" "" "$(holders "$L2")"
leak_check blk-many
case_end

finish
