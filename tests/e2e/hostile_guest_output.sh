#!/usr/bin/env bash
# End-to-end: what a hostile guest makes come out of its VM stays bounded and
# harmless on the host (issue 14). A root container with every capability:
#  - runs processes as uid 0 and 20 other uids: every host stand-in runs as
#    the one unprivileged stand_in_user (nobody), never as a guest uid, with
#    no capabilities; the guest's uids show in `ch-runc ps` only; with
#    stand_in_user set in the host config, that user;
#  - writes as much as it can to the serial console (1 GiB, or what fits in
#    the time guard under TCG): the console log on the host stays under its
#    1 MiB cap, keeps the last bytes, and the container still works;
#  - runs a process whose name and command line are terminal escape
#    sequences: `ch-runc ps` (every format) prints no control byte, the json
#    format stays valid JSON, and the stand-in's host title has none either.
. "$(dirname "$0")/lib.sh"

HELPER=$BIN_DIR/ch-runc-standin
CAP_BYTES=$((1 << 20))
NOBODY="$(id -u nobody 2>/dev/null || echo 65534) $(id -g nobody 2>/dev/null || echo 65534)"

# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
  local n=$(($1 * 5))
  shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
  return 1
}
is_stopped() { [ "$(state_field "$1" status)" = stopped ]; }

# The host pids of container $1's stand-ins (from ps --format json: the pids
# in its host cgroup, the stand-ins being those running this build's helper).
stand_ins() {
  local pid
  for pid in $(rt ps --format json "$1" | tr -d '[]' | tr ',' ' '); do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$HELPER" ] && echo "$pid"
  done
}
# "uid gid" of a host process when its real, effective, saved and fs ids agree.
ids_of() {
  awk '/^Uid:/ { if ($2==$3 && $3==$4 && $4==$5) u=$2; else u="mixed:" $2 "," $3 "," $4 "," $5 }
       /^Gid:/ { if ($2==$3 && $3==$4 && $4==$5) g=$2; else g="mixed:" $2 "," $3 "," $4 "," $5 }
       END { print u, g }' "/proc/$1/status" 2>/dev/null
}
status_field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" 2>/dev/null; }
count_stand_ins() { [ "$(stand_ins "$1" | wc -l)" -ge "$2" ]; }

# A bundle for a root container with every capability and every device.
hostile_bundle() {
  make_bundle "$1" "$2"
  edit_config "$1" "
caps = ['CAP_' + n for n in '''CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID
  SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
  SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE
  SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN
  SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE'''.split()]
c['process']['capabilities'] = {k: caps for k in ('bounding', 'effective', 'permitted', 'inheritable', 'ambient')}
c['process']['noNewPrivileges'] = False
c['linux'].setdefault('resources', {})['devices'] = [{'allow': True, 'access': 'rwm'}]
c['linux']['maskedPaths'] = []
c['linux']['readonlyPaths'] = []
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys'] + [
  {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'nodev']}]
"
}

# ---------------------------------------------------------------------------
B=$WORK/bundle
hostile_bundle "$B" 'while :; do sleep 4000 & wait $!; done'
rt run -d -b "$B" hg1 </dev/null >"$WORK/out" 2>"$WORK/err"

case_begin "uid 0 and 20 other uids in the guest: every stand-in runs as nobody"
expect_eq "container running" running "$(state_field hg1 status)"
for u in $(seq 1001 1020); do
  timeout 60 "$CHRUNC" --root "$ROOT" exec -d --user "$u:$u" hg1 sleep "$((4000 + u - 1000))" \
    </dev/null >/dev/null 2>>"$WORK/err" || fail "exec as uid $u failed: $(tail -1 "$WORK/err")"
done
# The guest's own view: 21 uids, 0 among them.
wait_for 30 sh -c "[ \$('$CHRUNC' --root '$ROOT' ps hg1 -o uid= | sort -u | wc -l) -ge 21 ]" &&
  ok "the guest runs processes as 21 uids" ||
  fail "guest uids: $(rt ps hg1 -o uid= | sort -u | tr '\n' ' ')"
expect_eq "ps shows the guest's uid 0" 1 "$(rt ps hg1 -o uid=,args= | grep -c '^ *0 sleep 4000$')"
expect_eq "ps shows the guest's uid 1020" 1 "$(rt ps hg1 -o uid=,args= | grep -c '^ *1020 sleep 4020$')"
wait_for 30 count_stand_ins hg1 22 && ok "22 stand-ins or more" ||
  fail "only $(stand_ins hg1 | wc -l) stand-ins"
n=0
for pid in $(stand_ins hg1); do
  n=$((n + 1))
  ids=$(ids_of "$pid")
  [ "$ids" = "$NOBODY" ] || fail "stand-in $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline")) runs as $ids"
  [ "$(status_field "$pid" CapEff)" = 0000000000000000 ] || fail "stand-in $pid has capabilities"
  [ "$(status_field "$pid" CapPrm)" = 0000000000000000 ] || fail "stand-in $pid has permitted capabilities"
  [ "$(status_field "$pid" NoNewPrivs)" = 1 ] || fail "stand-in $pid can gain privileges"
  [ -z "$(status_field "$pid" Groups)" ] || fail "stand-in $pid has groups $(status_field "$pid" Groups)"
  [ -z "$(tr -d '\0' <"/proc/$pid/environ")" ] || fail "stand-in $pid has an environment"
  fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
  [ "$fds" = "0 1 2 3 4 " ] || fail "stand-in $pid has fds $fds"
done
ok "checked $n stand-ins: uid and gid $NOBODY, no capabilities, no groups, no environment"
for u in 1001 1010 1020; do
  pid=$(for p in $(stand_ins hg1); do
    [ "$(tr '\0' ' ' <"/proc/$p/cmdline")" = "sleep $((4000 + u - 1000)) " ] && echo "$p"
  done | head -1)
  [ -n "$pid" ] && expect_eq "the stand-in of the uid $u process" "$NOBODY" "$(ids_of "$pid")" ||
    fail "no stand-in for 'sleep $((4000 + u - 1000))'"
done
# None of the host processes of the container (its host cgroup: the stand-ins,
# and the monitor, VMM and virtiofsd, which are root's) runs as a guest uid.
procs=/sys/fs/cgroup/pids/hg1/cgroup.procs
[ -f "$procs" ] || procs=/sys/fs/cgroup/hg1/cgroup.procs
[ "$(wc -l <"$procs")" -gt "$n" ] && ok "the host cgroup holds $(wc -l <"$procs") processes" ||
  fail "the host cgroup $procs: $(cat "$procs" | tr '\n' ' ')"
bad=""
for pid in $(cat "$procs"); do
  u=$(ids_of "$pid")
  u=${u%% *}
  case "$u" in 0 | "${NOBODY%% *}" | "") ;; *) bad="$bad $pid:$u" ;; esac
done
expect_eq "no host process of the container under another uid" "" "$bad"
case_end

# ---------------------------------------------------------------------------
case_begin "the guest floods its serial console: the host log stays under 1 MiB"
log=$ROOT/hg1/console.log
[ -f "$log" ] && ok "console log $log" || fail "no console log at $log"
[ -f "$log" ] && [ "$(stat -c %s "$log")" -le $CAP_BYTES ] && ok "under the cap before" || fail "over the cap before"
# Up to 1 GiB, in a time guard: the serial port under TCG is far slower than
# memory, so what matters is that many times the cap went through.
cat >"$B/rootfs/flood.sh" <<'EOF'
#!/bin/sh
# Writes $1 MiB of numbered 1 KiB lines full of escape sequences to the
# kernel's serial console, or until killed; then one last marker line.
echo $$ >/tmp/flood.pid
[ -c /dev/ttyS0 ] || mknod /dev/ttyS0 c 4 64
stty -F /dev/ttyS0 raw -echo 2>/dev/null
line=$(printf '\033[2J\033]0;owned\007%0990d' 0)
i=0
exec 3>/dev/ttyS0
while [ "$i" -lt $(($1 * 1024)) ]; do
  echo "$i $line" >&3 || exit 1
  i=$((i + 1))
done
echo "flood-done $i" >&3
echo "$i" >/tmp/flood.count
EOF
chmod +x "$B/rootfs/flood.sh"
start=$(date +%s)
timeout 600 "$CHRUNC" --root "$ROOT" exec -d hg1 /flood.sh 1024 </dev/null >/dev/null 2>>"$WORK/err"
max=0
size_ok=1
seen_lines=0
for _ in $(seq 150); do # up to 150 s of flood, sampling the log's size
  s=$(stat -c %s "$log" 2>/dev/null || echo 0)
  [ "$s" -gt "$max" ] && max=$s
  [ "$s" -le $CAP_BYTES ] || size_ok=0
  if grep -aq "flood-done" "$log" 2>/dev/null; then break; fi
  sleep 1
done
elapsed=$(($(date +%s) - start))
# Stop the flood (the log's end is then the last line written).
rt exec hg1 sh -c 'kill $(cat /tmp/flood.pid)' </dev/null >/dev/null 2>>"$WORK/err"
sleep 2
# What went through: the last numbered line in the log (kept: the last bytes).
last=$(tail -c 4096 "$log" | tr -d '\0' | grep -ao '^[0-9]* ' | tail -1 | tr -d ' ')
written=$(((${last:-0} + 1) * 1024))
echo "info: about $((written >> 20)) MiB through the console in $elapsed s (log at most $max bytes)"
expect_eq "the log never passed 1 MiB while sampled" 1 "$size_ok"
[ "$(stat -c %s "$log")" -le $CAP_BYTES ] && ok "log size $(stat -c %s "$log") <= $CAP_BYTES" ||
  fail "log is $(stat -c %s "$log") bytes"
[ "$written" -ge $((4 * CAP_BYTES)) ] && ok "$((written >> 10)) KiB went through (>= 4x the cap)" ||
  fail "only $written bytes went through the console"
head -c 100 "$log" | grep -aq "earlier console output dropped" && ok "the log says it was cut" ||
  fail "log starts: $(head -c 100 "$log" | od -c | head -3)"
tail -c 2048 "$log" | grep -aq "^$last " && ok "the log ends with the latest line ($last)" ||
  fail "not the latest bytes"
[ ! -e "$log.tmp" ] && ok "no temporary left" || fail "$log.tmp left"
expect_eq "the container still works" alive "$(timeout 60 "$CHRUNC" --root "$ROOT" exec hg1 echo alive </dev/null 2>>"$WORK/err")"
expect_eq "still running" running "$(state_field hg1 status)"
monitor_log=$ROOT/hg1/monitor.log
[ ! -f "$monitor_log" ] || [ "$(stat -c %s "$monitor_log")" -lt 65536 ] && ok "monitor.log small" ||
  fail "monitor.log is $(stat -c %s "$monitor_log") bytes"
case_end

# ---------------------------------------------------------------------------
case_begin "escape sequences as a process's name and arguments: ch-runc ps prints none"
cat >"$B/rootfs/evil.sh" <<'EOF'
#!/bin/sh
# Names itself with escape sequences (comm), execs itself again with escape
# sequences, invalid UTF-8 and 6000 bytes as arguments, and sleeps.
if [ "$1" != again ]; then
  exec /bin/sh /evil.sh again \
    "$(printf '\033]0;owned-title\007\033[2J\033[31mRED\r\n\177\377\376 \302\23331m\033[0m')" \
    "$(head -c 6000 /dev/zero | tr '\0' x)"
fi
printf '\033]0;pwn\007\033[2J\233' >/proc/self/comm
while :; do sleep 1; done
EOF
chmod +x "$B/rootfs/evil.sh"
timeout 60 "$CHRUNC" --root "$ROOT" exec -d hg1 /bin/sh /evil.sh </dev/null >/dev/null 2>>"$WORK/err"
has_evil() { rt ps hg1 -o args= | grep -q 'evil.sh again'; }
wait_for 30 has_evil && ok "the process runs" || fail "no evil.sh in $(rt ps hg1 -o args=)"
# Bytes a terminal acts on: C0 controls but newline, DEL, C1 (as UTF-8 or raw), invalid UTF-8.
no_controls() {
  python3 -c '
import sys
data = sys.stdin.buffer.read()
bad = [b for b in data if (b < 0x20 and b != 0x0a) or b == 0x7f]
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
bad += [c for c in text if 0x80 <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e]
sys.exit("control characters: %r" % bad[:10] if bad else 0)'
}
for args in "" "-ef" "-o pid,comm,args" "-o cmd,stat" "-O comm"; do
  # shellcheck disable=SC2086
  rt ps hg1 $args >"$WORK/ps.out" 2>>"$WORK/err" || fail "ps $args failed: $(tail -1 "$WORK/err")"
  grep -aq 'evil\|pwn' "$WORK/ps.out" || fail "ps $args does not show the process: $(head -c 300 "$WORK/ps.out")"
  out=$(no_controls <"$WORK/ps.out" 2>&1) && ok "ps $args: no control bytes" || fail "ps $args: $out"
done
# shellcheck disable=SC2086
rt ps hg1 -o comm=,args= | grep -aF 'evil.sh' | grep -aqF '\x1b]0;owned-title\x07\x1b[2J' &&
  ok "the arguments are shown escaped" || fail "$(rt ps hg1 -o args= | grep -a evil.sh | head -c 300)"
rt ps hg1 -o comm= | grep -aqF '\x1b]0;pwn\x07' && ok "the name is shown escaped" ||
  fail "comm: $(rt ps hg1 -o comm= | od -c | head -5)"
[ "$(rt ps hg1 -o args= | grep -a evil.sh | wc -c)" -lt 20000 ] && ok "the command line is bounded" ||
  fail "command line of $(rt ps hg1 -o args= | grep -a evil.sh | wc -c) bytes"
json=$(rt ps --format json hg1)
echo "$json" | python3 -c 'import json,sys; v=json.load(sys.stdin); assert all(isinstance(p, int) for p in v)' &&
  ok "ps --format json is valid JSON of pids" || fail "ps --format json: $json"
# The stand-in's host title: no control bytes either (host ps, docker top).
pid=""
for p in $(stand_ins hg1); do tr '\0' ' ' <"/proc/$p/cmdline" | grep -aq 'evil.sh' && pid=$p; done
if [ -n "$pid" ]; then
  ok "stand-in $pid"
  out=$(tr '\0' ' ' <"/proc/$pid/cmdline" | no_controls 2>&1) && ok "its command line has no control bytes" || fail "its cmdline: $out"
  out=$(no_controls <"/proc/$pid/comm" 2>&1) && ok "its name has no control bytes" || fail "its comm: $out"
  [ "$(wc -c <"/proc/$pid/cmdline")" -le 4096 ] && ok "its command line is bounded" ||
    fail "its command line is $(wc -c <"/proc/$pid/cmdline") bytes"
  expect_eq "it runs as nobody" "$NOBODY" "$(ids_of "$pid")"
else
  fail "no stand-in for evil.sh"
fi
case_end

case_begin "all gone after delete"
rt kill hg1 KILL
wait_for 30 is_stopped hg1
rt delete hg1
leak_check hg1
case_end

# ---------------------------------------------------------------------------
case_begin "stand_in_user from the host config"
echo 'stand_in_user: "4242:4343"' >>"$CHRUNC_CONFIG"
B2=$WORK/bundle2
hostile_bundle "$B2" 'exec sleep 4100'
rt run -d -b "$B2" hg2 </dev/null >/dev/null 2>>"$WORK/err"
expect_eq "container running" running "$(state_field hg2 status)"
wait_for 30 count_stand_ins hg2 1 && ok "a stand-in" || fail "no stand-in"
for pid in $(stand_ins hg2); do expect_eq "stand-in $pid" "4242 4343" "$(ids_of "$pid")"; done
rt delete --force hg2 2>>"$WORK/err"
leak_check hg2
sed -i '/^stand_in_user:/d' "$CHRUNC_CONFIG"
case_end

finish
