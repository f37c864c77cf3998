"""The conformance cases' registry and shared helpers. Each case is a
function taking a harness.Context; it records failures with ctx.fail/ctx.check
or stops with ctx.require. The cases_*.py modules register theirs with @case in
run order; the name is what known-deviations.txt refers to."""

import os
import time

SLEEP = ["/bin/sleep", "600"]

CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def running_container(ctx, args=SLEEP, config=None):
    """Creates and starts a long-running container; returns (bundle, id)."""
    b = ctx.bundle(config or ctx.config(args))
    cid = ctx.create_ok(b)
    ctx.start_ok(cid)
    ctx.require(ctx.runtime.wait_status(cid, "running", timeout=10) == "running",
                f"status after start is {ctx.runtime.status(cid)!r}, not 'running'")
    return b, cid


def wait_for_file(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.2)
    return False


def pid_alive(pid):
    """True while `pid` exists and is not a zombie (nobody may reap it here)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def processes_mentioning(text):
    """Pids of live processes (not zombies) whose command line contains `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and pid_alive(int(entry)):
            found.append(int(entry))
    return found


def check_nothing_left(ctx, cid):
    """After a refused or failed create: no state, no process naming the id
    (the runtime's helpers: for ch-runc the monitor, VMM and virtiofsd), no
    state directory under --root."""
    ctx.check(ctx.runtime.state(cid) is None, "state still knows the container")
    deadline = time.monotonic() + 5
    while processes_mentioning(cid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = processes_mentioning(cid)
    ctx.check(not left, f"processes left behind: {left}")
    if ctx.runtime.root:
        d = os.path.join(ctx.runtime.root, cid)
        ctx.check(not os.path.exists(d), f"state directory {d} left behind")
