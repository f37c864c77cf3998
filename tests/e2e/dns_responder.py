#!/usr/bin/python3
"""A tiny DNS server for tests/e2e/network.sh: UDP on ADDRESS:53, answers
NAME with an A record of IPV4 (and AAAA with no record); any other name is
NXDOMAIN. Each query's name and type are appended to LOG; READY gets its
pid once bound.

usage: dns_responder.py ADDRESS NAME IPV4 LOG READY
"""
import os
import socket
import struct
import sys

address, name, ipv4, log_path, ready_path = sys.argv[1:6]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((address, 53))
with open(ready_path, "w") as ready:
    ready.write(f"{os.getpid()}\n")


def question(packet):
    labels, i = [], 12
    while packet[i] != 0:
        length = packet[i]
        labels.append(packet[i + 1:i + 1 + length].decode("ascii", "replace"))
        i += 1 + length
    qtype, = struct.unpack("!H", packet[i + 1:i + 3])
    return ".".join(labels).lower(), qtype, i + 5


while True:
    packet, peer = sock.recvfrom(4096)
    try:
        qname, qtype, end = question(packet)
    except (IndexError, struct.error):
        continue
    with open(log_path, "a") as log:
        log.write(f"{qname} {qtype}\n")
    known = qname == name.lower()
    answers = b""
    if known and qtype == 1:
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(ipv4)
    flags = 0x8180 | (0 if known else 3)
    header = struct.pack("!HHHHHH", struct.unpack("!H", packet[:2])[0], flags, 1,
                         1 if answers else 0, 0, 0)
    sock.sendto(header + packet[12:end] + answers, peer)
