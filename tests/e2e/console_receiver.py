#!/usr/bin/env python3
# Receives a pty master over a unix socket (as containerd/podman do) and
# copies what the container writes to stdout until the pty hangs up.
#   console_receiver.py SOCKET [--resize-on TEXT RxC]...
# --resize-on: once TEXT was read, set the window size on the master, as an
# engine does when its client's terminal is resized.
import argparse, fcntl, os, socket, struct, sys, termios

p = argparse.ArgumentParser()
p.add_argument("socket")
p.add_argument("--resize-on", nargs=2, action="append", default=[])
a = p.parse_args()

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(a.socket)
srv.listen(1)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 4096, 1)
master = fds[0]
triggers = list(a.resize_on)
out = b""
while True:
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    for t in list(triggers):
        if t[0].encode() in out:
            triggers.remove(t)
            rows, cols = (int(x) for x in t[1].split("x"))
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
sys.stdout.write(out.decode(errors="replace"))
