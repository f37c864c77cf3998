#!/usr/bin/env python3
# Runs a command on a new pty (its controlling terminal, as in an
# interactive shell) and copies what it prints to stdout. Options:
#   --size RxC            initial window size
#   --resize-on TEXT RxC  once TEXT was printed, resize the window (the
#                         kernel sends SIGWINCH to the command)
#   --signal-on TEXT SIG  once TEXT was printed, send signal SIG to the command
#   --timeout S           kill the command after S seconds (exit 124)
# Exits with the command's exit code (128+N when killed by signal N).
import argparse, fcntl, os, pty, select, signal, struct, sys, termios, time

p = argparse.ArgumentParser()
p.add_argument("--size", default="24x80")
p.add_argument("--resize-on", nargs=2, action="append", default=[])
p.add_argument("--signal-on", nargs=2, action="append", default=[])
p.add_argument("--timeout", type=float, default=60)
p.add_argument("command", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.command[1:] if a.command[:1] == ["--"] else a.command


def set_size(fd, size):
    rows, cols = (int(x) for x in size.split("x"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


pid, master = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
set_size(master, a.size)
triggers = [("resize", t, v) for t, v in a.resize_on] + [("signal", t, v) for t, v in a.signal_on]
out = b""
deadline = time.monotonic() + a.timeout
code = None
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        os.kill(pid, signal.SIGKILL)
        code = 124
        break
    r, _, _ = select.select([master], [], [], min(left, 0.5))
    if r:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out += data
        sys.stdout.write(data.decode(errors="replace"))
        sys.stdout.flush()
        for t in list(triggers):
            if t[1].encode() in out:
                triggers.remove(t)
                if t[0] == "resize":
                    set_size(master, t[2])
                else:
                    os.kill(pid, getattr(signal, t[2]))
_, status = os.waitpid(pid, 0)
if code is None:
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
sys.exit(code)
