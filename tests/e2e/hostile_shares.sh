#!/usr/bin/env bash
# End-to-end: a hostile container against its virtiofs share. Root with every
# capability inside, it remounts and mounts afresh every virtiofs tag it can
# find and writes, deletes and links through them; every check is on the
# HOST: nothing outside what the spec names changes, read-only sources stay
# as they were, a file mount exposes no sibling, 40 bind mounts run on one
# virtiofsd, and a killed monitor's share is unmounted by delete.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
H=$WORK/host

ALL_CAPS="import re
caps = [l.split()[1] for l in open('/usr/include/linux/capability.h')
        if re.match(r'#define CAP_[A-Z_]+\s+\d+\s*$', l)]
c['process']['capabilities'] = {k: caps for k in ('bounding', 'effective', 'permitted', 'ambient')}
c['process']['noNewPrivileges'] = False"

# bind DEST SOURCE OPTION... : a python statement adding a bind mount.
bind() {
  local dest=$1 src=$2
  shift 2
  local opts
  opts=$(printf "'%s'," "$@")
  echo "c['mounts'].append({'destination': '$dest', 'type': 'bind', 'source': '$src', 'options': [$opts]})"
}

# A digest of a tree: names, modes, sizes, mtimes, contents (hidden files too).
tree_sum() {
  (
    cd "$1" && find . -printf '%p %y %m %s %T@\n' | sort
    find . -type f -exec sha256sum {} + | sort
  ) | sha256sum | cut -d' ' -f1
}

# Distinct virtiofsd daemons of container ID (QEMU's C virtiofsd is two
# processes: a parent that waits for its sandboxed child).
virtiofsd_daemons() {
  local pid ppid n=0
  for pid in $(pgrep -f "virtiofsd.*$ROOT/$1/"); do
    ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || continue
    grep -q virtiofsd "/proc/$ppid/comm" 2>/dev/null || n=$((n + 1))
  done
  echo "$n"
}

# The attack, run inside the container by `exec`.
write_attack() {
  cat >"$B/rootfs/attack.sh" <<'SH'
tags=$(awk '$3 == "virtiofs" { print $1 }' /proc/mounts)
[ -d /sys/fs/virtiofs ] && tags="$tags $(cat /sys/fs/virtiofs/*/tag 2>/dev/null)"
tags=$(echo $tags | tr ' ' '\n' | sort -u)
echo "TAGS" $tags
# Every virtiofs mount of the container made read-write again.
awk '$3 == "virtiofs" { print $2 }' /proc/mounts | while read -r mp; do
  mount -o remount,rw "$mp" 2>/dev/null && echo "REMOUNTED $mp"
done
i=0
for t in $tags; do
  m=/mnt/tag$i
  i=$((i + 1))
  mkdir -p "$m"
  mount -t virtiofs -o rw "$t" "$m" || continue
  echo "MOUNTED $t"
  touch "$m/evil" 2>/dev/null && echo "CREATED $m/evil"
  for e in "$m"/*; do
    name=${e##*/}
    if [ "$name" = rootfs ]; then # the container runs from it: add only
      touch "$e/pwned" && echo "WROTE $e/pwned"
      continue
    fi
    mv "$e" "$m/moved" 2>/dev/null && echo "MOVED $e"
    if [ -d "$e" ]; then
      find "$e" -type f | while read -r f; do
        echo PWNED >>"$f" 2>/dev/null && echo "WROTE $f"
        chmod 4777 "$f" 2>/dev/null
        ln "$f" "$m/hardlink" 2>/dev/null && echo "LINKED $f"
      done
      find "$e" -mindepth 1 -type d | while read -r d; do
        touch "$d/pwned" 2>/dev/null && echo "WROTE $d/pwned"
      done
      touch "$e/pwned" 2>/dev/null && echo "WROTE $e/pwned"
      mkdir "$e/pwned-dir" 2>/dev/null
      ln -s ../../.. "$e/up" 2>/dev/null && touch "$e/up/pwned-up" 2>/dev/null
      find "$e" -mindepth 1 -depth -name keep | while read -r f; do
        rm -f "$f" 2>/dev/null && echo "REMOVED $f"
      done
    else
      echo PWNED >>"$e" 2>/dev/null && echo "WROTE $e"
      chmod 4777 "$e" 2>/dev/null
      rm -f "$e" 2>/dev/null && echo "REMOVED $e"
    fi
  done
done
echo ATTACK-DONE
SH
}

case_begin "every virtiofs tag remounted and mounted read-write: the host holds"
mkdir -p "$H"/{sentinel/sub,rw,ro/sub,rofile,rwfile,nest,nestrw}
echo sentinel >"$H/sentinel/a"
echo deeper >"$H/sentinel/sub/b"
echo keep >"$H/rw/keep"
echo ro-data >"$H/ro/keep"
echo ro-deep >"$H/ro/sub/keep"
echo ro-file >"$H/rofile/f"
echo SECRET-S >"$H/rofile/s"
echo rw-file >"$H/rwfile/g"
echo SECRET-T >"$H/rwfile/t"
echo nest-top >"$H/nest/keep"
mkdir -p "$H/nest/inner" "$H/nestrw/inner"
# Submounts on the host: does virtiofsd cross into them, and stay read-only?
mount -t tmpfs -o size=1m nest "$H/nest/inner"
echo in-tmpfs >"$H/nest/inner/keep"
mount -t tmpfs -o size=1m nestrw "$H/nestrw/inner"
echo in-tmpfs-rw >"$H/nestrw/inner/keep"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "$ALL_CAPS"
edit_config "$B" "$(bind /rw "$H/rw" rbind rw)
$(bind /ro "$H/ro" rbind ro)
$(bind /etc/rofile "$H/rofile/f" bind ro)
$(bind /etc/rwfile "$H/rwfile/g" bind rw)
$(bind /nest "$H/nest" rbind ro)
$(bind /nestrw "$H/nestrw" rbind rw)"
write_attack
declare -A before
for t in sentinel ro rofile nest; do before[$t]=$(tree_sum "$H/$t"); done
before[rwfile-t]=$(sha256sum <"$H/rwfile/t")
before[config]=$(sha256sum <"$B/config.json")
rt run -d -b "$B" h1 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run" 0 $?
inside=$(rt exec h1 sh -c 'cat /ro/keep /nest/inner/keep /nestrw/inner/keep /etc/rofile' </dev/null)
expect_eq "the container sees its mounts, submounts included" \
  "$(printf 'ro-data\nin-tmpfs\nin-tmpfs-rw\nro-file')" "$inside"
rt exec h1 sh /attack.sh </dev/null >"$WORK/attack.out" 2>&1
grep -q ATTACK-DONE "$WORK/attack.out" && ok "the attack ran" || fail "attack: $(cat "$WORK/attack.out")"
grep -q '^MOUNTED ' "$WORK/attack.out" && ok "a tag was mounted afresh read-write: $(grep -c '^MOUNTED ' "$WORK/attack.out") tag(s)" ||
  fail "no tag mounted: $(cat "$WORK/attack.out")"
grep -q '^REMOUNTED ' "$WORK/attack.out" && ok "virtiofs mounts remounted read-write" || fail "no remount: $(cat "$WORK/attack.out")"
# The attack reached what the spec makes writable (it is real) ...
[ -e "$H/rw/pwned" ] && ok "rw source written (allowed)" || fail "rw source not written: $(cat "$WORK/attack.out")"
grep -q PWNED "$H/rwfile/g" && ok "rw file written (allowed)" || fail "rw file not written"
[ -e "$H/nestrw/inner/pwned" ] && ok "virtiofsd crosses into a submount (rw)" || fail "nestrw/inner not written"
[ -e "$B/rootfs/pwned" ] && ok "rootfs written (allowed)" || fail "rootfs not written"
# ... and nothing else changed on the host.
for t in sentinel ro rofile nest; do
  expect_eq "host $t unchanged" "${before[$t]}" "$(tree_sum "$H/$t")"
done
expect_eq "sibling of the rw file unchanged" "${before[rwfile-t]}" "$(sha256sum <"$H/rwfile/t")"
expect_eq "bundle config.json (beside the rootfs) unchanged" "${before[config]}" "$(sha256sum <"$B/config.json")"
expect_eq "nothing added beside the share's entries" "m10 m11 m6 m7 m8 m9 rootfs" \
  "$(ls "$ROOT/h1/share" | sort | xargs)"
expect_eq "nothing escaped to the state dir" "" "$(ls "$ROOT/h1" | grep -E 'evil|pwned|moved|hardlink' || true)"
# (tree_sum covers modes: no setuid bit appeared there either; in the rw
# source guest root may chmod, as container root may on a runc bind mount.)
rt delete --force h1; expect_eq "delete" 0 $?
umount "$H/nest/inner" "$H/nestrw/inner"
leak_check h1
case_end

case_begin "a file bind mount exposes the file only"
rm -rf "$H" "$B"
mkdir -p "$H/files"
echo only-this >"$H/files/f"
echo SECRET-SIBLING >"$H/files/s"
make_bundle "$B" 'sleep 1000'
edit_config "$B" "$ALL_CAPS"
edit_config "$B" "$(bind /etc/f "$H/files/f" bind ro)"
rt run -d -b "$B" h2 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run" 0 $?
expect_eq "the file" only-this "$(rt exec h2 cat /etc/f </dev/null)"
# Rewritten in place on the host (docker's /etc/hosts): the change shows.
echo rewritten >"$H/files/f"
expect_eq "a live change on the host shows" rewritten "$(rt exec h2 cat /etc/f </dev/null)"
rt exec h2 sh -c '
  for t in $(awk "\$3 == \"virtiofs\" { print \$1 }" /proc/mounts | sort -u); do
    mkdir -p /mnt/$t && mount -t virtiofs $t /mnt/$t && echo "MOUNTED $t"
  done
  echo LISTING; ls -la /mnt/*
  # everything the share offers but the rootfs (searched on the host below)
  for e in $(find /mnt -mindepth 2 -maxdepth 2 -not -name rootfs); do
    find "$e" | sed "s/^/ENTRY /"
    grep -rl SECRET-SIBLING "$e" | sed "s/^/FOUND /"
    find "$e" -name s | sed "s/^/NAMED /"
  done
  cat /etc/f/../s 2>/dev/null | sed "s/^/READ /"
  echo DONE' </dev/null >"$WORK/list.out" 2>&1
grep -q '^MOUNTED ' "$WORK/list.out" && ok "the tag was mounted afresh" || fail "no tag mounted: $(cat "$WORK/list.out")"
grep -q '^DONE' "$WORK/list.out" && ok "the search ran" || fail "search: $(cat "$WORK/list.out")"
expect_eq "the sibling is not reachable" "" "$(grep -E '^(FOUND|NAMED|READ) ' "$WORK/list.out" || true)"
expect_eq "the share offers the file itself" "ENTRY /mnt/chrunc/m6" "$(grep '^ENTRY ' "$WORK/list.out")"
expect_eq "nor is it in the rootfs" "" "$(grep -rl SECRET-SIBLING "$B/rootfs" || true)"
grep -q SECRET-SIBLING "$WORK/list.out" && fail "the secret leaked: $(cat "$WORK/list.out")"
expect_eq "the share holds the rootfs and the file" "m6 rootfs" "$(ls "$ROOT/h2/share" | sort | xargs)"
rt delete --force h2; expect_eq "delete" 0 $?
leak_check h2
case_end

case_begin "40 bind mounts from 40 host directories: one virtiofsd, each mount right"
rm -rf "$H" "$B"
make_bundle "$B" 'sleep 1000'
edits=""
expected=""
for i in $(seq 1 40); do
  mkdir -p "$H/d$i"
  echo "content-$i" >"$H/d$i/c"
  if [ $((i % 2)) = 0 ]; then mode=ro; else mode=rw; fi
  edits="$edits
$(bind "/b$i" "$H/d$i" bind $mode)"
  expected="$expected content-$i:$mode"
done
edit_config "$B" "$edits"
rt run -d -b "$B" h3 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run" 0 $?
out=$(rt exec h3 sh -c 'for i in $(seq 1 40); do
  if touch /b$i/w 2>/dev/null; then m=rw; else m=ro; fi
  printf " %s:%s" "$(cat /b$i/c)" $m; done' </dev/null)
expect_eq "every mount has its own content and mode" "$expected" "$out"
expect_eq "one virtiofsd for the container" 1 "$(virtiofsd_daemons h3)"
qemu=$(pgrep -f "qemu-system.*$ROOT/h3/" | head -1)
expect_eq "one virtio-fs device" 1 "$(tr '\0' '\n' <"/proc/$qemu/cmdline" | grep -c vhost-user-fs)"
expect_eq "rw writes reach the host, ro ones do not" "20 0" \
  "$(ls "$H"/d*[13579]/w | wc -l) $(ls "$H"/d*[02468]/w 2>/dev/null | wc -l)"
rt delete --force h3; expect_eq "delete" 0 $?
leak_check h3
case_end

case_begin "monitor SIGKILLed: delete --force unmounts the share"
rm -rf "$H" "$B"
mkdir -p "$H/d"
echo data >"$H/d/keep"
make_bundle "$B" 'sleep 1000'
# The monitor joins this shell's mount namespace (a mount namespace given by
# path), so its share mounts are here to outlive it; with a new namespace
# they would vanish with its processes.
edit_config "$B" "[n.update(path='/proc/$$/ns/mnt') for n in c['linux']['namespaces'] if n['type'] == 'mount']
$(bind /d "$H/d" rbind ro)"
rt run -d -b "$B" h4 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "run" 0 $?
expect_eq "mounted" data "$(rt exec h4 cat /d/keep </dev/null)"
n=$(grep -c " $ROOT/h4/share" /proc/self/mountinfo)
[ "$n" -ge 3 ] && ok "share mounted in this namespace ($n mounts)" || fail "share mounts: $n"
kill -9 "$(state_field h4 pid)"
for _ in $(seq 50); do pgrep -f "$ROOT/h4/" >/dev/null || break; sleep 0.1; done
expect_eq "share still mounted after the kill" "$n" "$(grep -c " $ROOT/h4/share" /proc/self/mountinfo)"
rt delete --force h4; expect_eq "delete --force" 0 $?
expect_eq "no mount under the state root" "" "$(grep " $ROOT/" /proc/self/mountinfo || true)"
expect_eq "no virtiofsd left" "" "$(pgrep -af "virtiofsd.*$ROOT/" || true)"
expect_eq "the source is intact" data "$(cat "$H/d/keep")"
leak_check h4
case_end

finish
