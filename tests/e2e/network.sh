#!/usr/bin/env bash
# End-to-end: the container's network namespace reaches the VM
# (docs/networking.md). Every namespace, link and address here is made by
# this script (names net-e2e-*, 10.214.x.0/24); traffic stays on this machine.
. "$(dirname "$0")/lib.sh"

B=$WORK/bundle
NS=net-e2e-$$
HOST_IF=ne2e$$h
NS2=net-e2e2-$$
HOST_IF2=ne2e$$k
NS3=net-e2e3-$$
HOST_IF3=ne2e$$d
MAC=02:00:0a:d6:07:02
DNS_READY=$WORK/dns.ready

stop_dns_responder() {
  [ -s "$DNS_READY" ] && kill "$(cat "$DNS_READY")" 2>/dev/null
  rm -f "$DNS_READY"
}

cleanup_net() {
  stop_dns_responder
  ip netns del "$NS" 2>/dev/null
  ip netns del "$NS3" 2>/dev/null
  ip link del "$HOST_IF3" 2>/dev/null
  ip netns del "$NS2" 2>/dev/null
  ip link del "$HOST_IF" 2>/dev/null
  ip link del "$HOST_IF2" 2>/dev/null
  true
}
trap cleanup_net EXIT

# make_netns NAME HOST-IF SUBNET(10.214.N): veth, host end .1, namespace end eth0 .2 with MAC.
make_netns() {
  ip netns add "$1"
  ip link add "$2" type veth peer name eth0 netns "$1"
  ip addr add "$3.1/24" dev "$2"
  ip link set "$2" up
  ip -n "$1" link set eth0 address "$MAC"
  ip -n "$1" link set eth0 mtu 1400
  ip -n "$1" addr add "$3.2/24" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" link set lo up
  ip -n "$1" route add default via "$3.1"
}

join_netns() { # BUNDLE PATH
  edit_config "$1" "c['linux']['namespaces']=[n for n in c['linux']['namespaces'] if n['type']!='network']+[{'type':'network','path':'$2'}]"
}

wait_running() {
  for _ in $(seq 100); do [ "$(state_field "$1" status 2>/dev/null)" = running ] && return 0; sleep 0.2; done
  return 1
}

icmp_in_echos() { # the namespace's own ICMP echo requests received
  ip netns exec "$1" awk '/^Icmp:/ { if (h) { print $9; exit } h=1 }' /proc/net/snmp
}

# What the netns may keep after delete: only lo and eth0, no ingress qdisc, no filter.
expect_netns_clean() {
  local links
  links=$(ip -n "$1" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')
  expect_eq "links in $1 after delete" "eth0 lo " "$links"
  ip -n "$1" -o link show | grep -q tap0_ && fail "a tap is left" || ok "no tap left"
  tc -n "$1" qdisc show | grep -q ingress && fail "ingress qdisc left: $(tc -n "$1" qdisc show)" || ok "no ingress qdisc left"
  [ -z "$(tc -n "$1" filter show dev eth0 ingress 2>/dev/null)" ] && ok "no filter left on eth0" || fail "filter left: $(tc -n "$1" filter show dev eth0 ingress)"
}

case_begin "netns path: ping, TCP, same MAC/address/MTU inside, cleaned on delete"
make_netns "$NS" "$HOST_IF" 10.214.7
make_bundle "$B" 'echo net-e2e-page > /tmp/index.html; exec httpd -f -p 80 -h /tmp'
join_netns "$B" "/run/netns/$NS"
rt create -b "$B" n1 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create" 0 $?
rt start n1; expect_eq "start" 0 $?
wait_running n1 || fail "not running"
ip -n "$NS" -o link show | grep -q "tap0_eth0" && ok "tap in the netns while running" || fail "no tap: $(ip -n "$NS" -o link)"
tc -n "$NS" filter show dev eth0 ingress | grep -q "mirred" && ok "redirect filter on eth0" || fail "no redirect filter"
before=$(icmp_in_echos "$NS")
got=""
for _ in $(seq 30); do busybox ping -c1 -W1 10.214.7.2 >/dev/null 2>&1 && { got=yes; break; }; sleep 0.5; done
expect_eq "ping 10.214.7.2" yes "$got"
expect_eq "the netns itself answered no echo (the VM did)" "$before" "$(icmp_in_echos "$NS")"
page=""
for _ in $(seq 20); do page=$(curl -s --max-time 2 http://10.214.7.2/index.html) && break; sleep 0.5; done
expect_eq "HTTP over TCP from the container" net-e2e-page "$page"
expect_eq "MAC inside" "$MAC" "$(rt exec n1 cat /sys/class/net/eth0/address </dev/null)"
expect_eq "MTU inside" 1400 "$(rt exec n1 cat /sys/class/net/eth0/mtu </dev/null)"
rt exec n1 ip addr show eth0 </dev/null | grep -q "inet 10.214.7.2/24" && ok "address inside" || fail "address: $(rt exec n1 ip addr </dev/null)"
rt exec n1 ip route </dev/null | grep -q "default via 10.214.7.1 dev eth0" && ok "default route inside" || fail "routes: $(rt exec n1 ip route </dev/null)"
expect_eq "links inside" "eth0 lo" "$(rt exec n1 ls /sys/class/net </dev/null | tr '\n' ' ' | sed 's/ $//')"
rt kill n1 KILL
rt delete --force n1; expect_eq "delete" 0 $?
expect_netns_clean "$NS"
leak_check n1
case_end

case_begin "no netns path: a new namespace, loopback only (up)"
make_bundle "$B" 'ls /sys/class/net; echo lo-ok > /tmp/f; httpd -p 127.0.0.1:8000 -h /tmp; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8000/f 2>/dev/null && break; sleep 0.2; done'
out=$(rt run -b "$B" n2 </dev/null 2>"$WORK/err"); code=$?
expect_eq "exit code" 0 "$code"
expect_eq "interfaces, and TCP over lo" "lo lo-ok" "$(echo $out)"
leak_check n2
case_end

case_begin "a prestart hook fills the netns before the VM boots (docker's way)"
# The hook runs with the state on stdin, as docker's libnetwork-setkey does:
# it moves the veth end into state.pid's netns and configures it there.
cat >"$WORK/hook.sh" <<HOOK
#!/bin/sh
pid=\$(python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
ip link add $HOST_IF2 type veth peer name eth0 netns "\$pid" || exit 1
ip addr add 10.214.8.1/24 dev $HOST_IF2 && ip link set $HOST_IF2 up
nsenter --net=/proc/\$pid/ns/net sh -c 'ip addr add 10.214.8.2/24 dev eth0 && ip link set eth0 up'
HOOK
chmod +x "$WORK/hook.sh"
make_bundle "$B" 'echo hooked > /tmp/index.html; exec httpd -f -p 80 -h /tmp'
edit_config "$B" "c.setdefault('hooks',{})['prestart']=[{'path':'$WORK/hook.sh'}]"
rt create -b "$B" n3 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create" 0 $?
rt start n3
page=""
for _ in $(seq 30); do page=$(curl -s --max-time 2 http://10.214.8.2/index.html) && break; sleep 0.5; done
expect_eq "HTTP to the address the hook gave" hooked "$page"
rt delete --force n3; expect_eq "delete" 0 $?
# The kernel tears a namespace down asynchronously (its cleanup_net work
# queue) once the last process in it is gone: give it a bounded moment.
for _ in $(seq 50); do ip link show "$HOST_IF2" >/dev/null 2>&1 || break; sleep 0.2; done
ip link show "$HOST_IF2" >/dev/null 2>&1 && fail "the veth outlived its namespace" || ok "the namespace (and its veth) died with the monitor"
leak_check n3
case_end

case_begin "monitor killed: delete still removes the tap, filters and qdisc"
make_netns "$NS2" "${HOST_IF2}" 10.214.9
make_bundle "$B" 'sleep 1000'
join_netns "$B" "/run/netns/$NS2"
rt create -b "$B" n4 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create" 0 $?
tc -n "$NS2" qdisc show dev eth0 | grep -q ingress && ok "ingress qdisc while created" || fail "no ingress qdisc"
kill -KILL "$(state_field n4 pid)"
for _ in $(seq 50); do pgrep -f "$ROOT/" >/dev/null || break; sleep 0.1; done
rt delete --force n4; expect_eq "delete" 0 $?
expect_netns_clean "$NS2"
leak_check n4
case_end

case_begin "DNS relay: the netns's loopback nameserver answers the container (docker's 127.0.0.11)"
# docs/networking.md, "Name resolution": the nameserver listens in the
# loopback of the host-side netns, as docker's embedded DNS does.
make_netns "$NS3" "$HOST_IF3" 10.214.10
: >"$WORK/dns.log"
ip netns exec "$NS3" /usr/bin/python3 "$E2E_SRC/dns_responder.py" 127.0.0.11 web.e2e.test \
  10.214.10.77 "$WORK/dns.log" "$DNS_READY" </dev/null >"$WORK/dns.out" 2>&1 &
for _ in $(seq 50); do [ -s "$DNS_READY" ] && break; sleep 0.1; done
[ -s "$DNS_READY" ] || fail "the DNS responder did not start: $(cat "$WORK/dns.out")"
echo "nameserver 127.0.0.11" >"$WORK/resolv-loopback.conf"
echo "nameserver 10.214.10.1" >"$WORK/resolv-plain.conf"
# with_resolv_conf BUNDLE FILE: the file bind-mounted at /etc/resolv.conf, as engines do.
with_resolv_conf() {
  edit_config "$1" "c['mounts'].append({'destination':'/etc/resolv.conf','type':'bind','source':'$2','options':['rbind','ro']})"
}
# listeners ID: the VM's listening UDP and TCP sockets (the container shares its netns).
listeners() {
  rt exec "$1" cat /proc/net/udp /proc/net/udp6 </dev/null | awk '$1 ~ /:$/ && $4 == "07" {print "udp", $2}'
  rt exec "$1" cat /proc/net/tcp /proc/net/tcp6 </dev/null | awk '$1 ~ /:$/ && $4 == "0A" {print "tcp", $2}'
}
make_bundle "$B" 'sleep 1000'
join_netns "$B" "/run/netns/$NS3"
with_resolv_conf "$B" "$WORK/resolv-loopback.conf"
rt create -b "$B" n5 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create" 0 $?
rt start n5; expect_eq "start" 0 $?
wait_running n5 || fail "not running"
out=$(timeout 60 "$CHRUNC" --root "$ROOT" exec n5 nslookup web.e2e.test </dev/null 2>&1)
echo "$out" | grep -q "Address: 10.214.10.77" && ok "nslookup web.e2e.test gives 10.214.10.77" || fail "nslookup: $out"
grep -q "^web.e2e.test 1$" "$WORK/dns.log" && ok "the query reached the netns's nameserver" || fail "queries seen: $(cat "$WORK/dns.log")"
out=$(timeout 60 "$CHRUNC" --root "$ROOT" exec n5 nslookup nosuch.e2e.test </dev/null 2>&1)
echo "$out" | grep -q "NXDOMAIN" && ok "an unknown name is NXDOMAIN, as the nameserver said" || fail "nslookup nosuch: $out"
expect_eq "the VM listens on 127.0.0.11:53 UDP and TCP only" "udp 0B00007F:0035 tcp 0B00007F:0035" "$(listeners n5 | tr '\n' ' ' | sed 's/ $//')"
rt delete --force n5; expect_eq "delete" 0 $?
leak_check n5
# The same netns, a resolv.conf without a loopback nameserver: no relay.
make_bundle "$B" 'sleep 1000'
join_netns "$B" "/run/netns/$NS3"
with_resolv_conf "$B" "$WORK/resolv-plain.conf"
rt create -b "$B" n6 </dev/null >/dev/null 2>"$WORK/err"; expect_eq "create (plain resolv.conf)" 0 $?
rt start n6
wait_running n6 || fail "n6 not running"
rt exec n6 cat /proc/net/udp </dev/null | grep -q local_address && ok "the socket tables read" || fail "cannot read /proc/net/udp in n6"
expect_eq "no listening socket in the VM" "" "$(listeners n6)"
rt delete --force n6; expect_eq "delete" 0 $?
leak_check n6
stop_dns_responder
case_end

case_begin "DNS relay without a netns: the host's loopback nameserver (systemd-resolved's way)"
# A spec without a network namespace shares the host's, where a stub
# resolver listens on loopback (127.0.0.53 under systemd-resolved; here a
# test address of our own, 127.0.0.214).
: >"$WORK/dns.log"
/usr/bin/python3 "$E2E_SRC/dns_responder.py" 127.0.0.214 host.e2e.test 10.214.11.9 \
  "$WORK/dns.log" "$DNS_READY" </dev/null >"$WORK/dns.out" 2>&1 &
for _ in $(seq 50); do [ -s "$DNS_READY" ] && break; sleep 0.1; done
[ -s "$DNS_READY" ] || fail "the DNS responder did not start: $(cat "$WORK/dns.out")"
echo "nameserver 127.0.0.214" >"$WORK/resolv-host.conf"
make_bundle "$B" 'nslookup host.e2e.test'
edit_config "$B" "c['linux']['namespaces']=[n for n in c['linux']['namespaces'] if n['type']!='network']"
with_resolv_conf "$B" "$WORK/resolv-host.conf"
out=$(timeout 120 "$CHRUNC" --root "$ROOT" run -b "$B" n7 </dev/null 2>&1); code=$?
expect_eq "exit code" 0 "$code"
echo "$out" | grep -q "Address: 10.214.11.9" && ok "nslookup host.e2e.test gives 10.214.11.9" || fail "nslookup: $out"
grep -q "^host.e2e.test 1$" "$WORK/dns.log" && ok "the query reached the host's nameserver" || fail "queries seen: $(cat "$WORK/dns.log")"
leak_check n7
stop_dns_responder
case_end

cleanup_net
finish
