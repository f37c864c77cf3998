"""I/O through a container against runc: 256 MiB written to the container's
stdout into a host file, and a 64 MiB file read from a bind mount. Both are
timed on the host between markers the container prints, so the boot and the
teardown are not part of the figure."""
import os
import select
import subprocess
import time
import tty

from benchlib import DEVNULL, median

STDOUT_BYTES = 256 << 20
READ_BYTES = 64 << 20
TIMEOUT = 600


def _stdout_once(ctx, runtime, bundle):
    """Seconds from the container's 'go' on stderr to the host file holding
    all STDOUT_BYTES."""
    out = os.path.join(ctx.tmp, "stdout.bin")
    with open(out, "wb") as sink:
        proc = subprocess.Popen(runtime.argv("run", "--bundle", bundle, ctx.new_id("out")),
                                stdin=DEVNULL, stdout=sink, stderr=subprocess.PIPE)
    try:
        if proc.stderr.readline().strip() != b"go":
            return None
        begin = time.monotonic()
        while os.path.getsize(out) < STDOUT_BYTES:
            if proc.poll() is not None and os.path.getsize(out) < STDOUT_BYTES:
                return None
            if time.monotonic() - begin > TIMEOUT:
                return None
            time.sleep(0.002)
        return time.monotonic() - begin
    finally:
        proc.stderr.close()
        if proc.wait(TIMEOUT) != 0:
            return None
        os.unlink(out)


def _read_once(ctx, runtime, bundle):
    """Seconds between the container's 'a' and 'b' lines on stdout, with
    `cat` of the bind-mounted file to /dev/null in between."""
    proc = subprocess.Popen(runtime.argv("run", "--bundle", bundle, ctx.new_id("read")),
                            stdin=DEVNULL, stdout=subprocess.PIPE, stderr=DEVNULL)
    try:
        if proc.stdout.readline().strip() != b"a":
            return None
        begin = time.monotonic()
        line = proc.stdout.readline().strip()
        elapsed = time.monotonic() - begin
        return elapsed if line == b"b" else None
    finally:
        proc.stdout.close()
        if proc.wait(TIMEOUT) != 0:
            return None


def io(ctx):
    writer = ctx.bundle("stdout", "sh", "-c", f"echo go >&2; head -c {STDOUT_BYTES} /dev/zero")
    data = os.path.join(ctx.tmp, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "big.bin"), "wb") as f:
        f.write(os.urandom(READ_BYTES))
    reader = ctx.bundle("read", "sh", "-c", "echo a; cat /data/big.bin >/dev/null; echo b",
                        mounts=[(data, "/data", True)])
    results = {"stdout": {}, "read": {}}
    for _ in range(ctx.args.io_runs):
        for runtime in ctx.runtimes():
            for key, once, bundle in (("stdout", _stdout_once, writer),
                                      ("read", _read_once, reader)):
                t = once(ctx, runtime, bundle)
                if t is not None:
                    results[key].setdefault(runtime.name, []).append(t)

    def rate(key, name, size):
        t = median(results[key].get(name, []))
        return size / (1 << 20) / t if t == t else float("nan")

    ctx.row("I/O: 256 MiB through stdout to a host file", rate("stdout", "ch-runc", STDOUT_BYTES),
            "runc", rate("stdout", "runc", STDOUT_BYTES), "MiB/s")
    ctx.row("I/O: 64 MiB file read from a bind mount (cat)", rate("read", "ch-runc", READ_BYTES),
            "runc", rate("read", "runc", READ_BYTES), "MiB/s")


EXEC_BYTES = 64 << 20
EXEC_WRITER = f"dd if=/dev/zero bs=64k count={EXEC_BYTES >> 16} 2>/dev/null"
# busybox head copies in small writes (a few KiB each), like most programs
# that print: the path the `run` rows take (their writer is head too).
EXEC_SMALL_WRITER = f"head -c {EXEC_BYTES} /dev/zero"


def _exec_seconds(runtime, cid, script, sink):
    """Wall time of `exec ID sh -c SCRIPT` with stdout to `sink`; None on failure."""
    begin = time.monotonic()
    r = runtime.call("exec", cid, "sh", "-c", script, stdin=DEVNULL, stdout=sink, stderr=DEVNULL)
    return time.monotonic() - begin if r.returncode == 0 else None


def _tty_echo_seconds(runtime, cid, reps):
    """Median round trip of one byte typed into `exec -t ID cat` and echoed
    back by the container's terminal, over `reps` bytes."""
    master, slave = os.openpty()
    tty.setraw(slave)  # the host's terminal passes bytes on; the guest's echoes them
    proc = subprocess.Popen(runtime.argv("exec", "-t", cid, "cat"), stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True)
    os.close(slave)
    times = []
    try:
        os.write(master, b"w\n")  # wait until cat runs: the echo and cat's copy
        seen = b""
        deadline = time.monotonic() + 60
        while seen.count(b"w") < 2 and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                seen += os.read(master, 4096)
        while select.select([master], [], [], 0.2)[0]:
            os.read(master, 4096)
        for _ in range(reps):
            begin = time.monotonic()
            os.write(master, b"x")
            if os.read(master, 1) != b"x":
                break
            times.append(time.monotonic() - begin)
    except OSError:
        pass
    finally:
        proc.kill()
        proc.wait(TIMEOUT)
        os.close(master)
    return median(times)


def exec_io(ctx):
    """The output path against the guest's own pipe: 64 MiB written to
    stdout by `exec` into a host file, against the same bytes through a
    pipe inside the container (`dd | cat >/dev/null`), both timed as whole
    `exec` commands of one running container; and the interactive echo."""
    runtime = next(r for r in ctx.runtimes() if r.name == "ch-runc")
    cid = ctx.new_id("execio")
    if runtime.start_idle(ctx.bundle("execio", "sleep", "100000"), cid) is None:
        raise RuntimeError("exec I/O: the container did not start")
    out_path = os.path.join(ctx.tmp, "exec-stdout.bin")
    mib = EXEC_BYTES / (1 << 20)
    for label, writer in (("", EXEC_WRITER), (", small writes (head -c)", EXEC_SMALL_WRITER)):
        to_host, in_guest = [], []
        for _ in range(ctx.args.io_runs * 3):
            with open(out_path, "wb") as sink:
                t = _exec_seconds(runtime, cid, writer, sink)
            if t is not None and os.path.getsize(out_path) == EXEC_BYTES:
                to_host.append(t)
            t = _exec_seconds(runtime, cid, f"{writer} | cat >/dev/null", DEVNULL)
            if t is not None:
                in_guest.append(t)
        ours, pipe = median(to_host), median(in_guest)
        name = writer.split()[0]
        ctx.row(f"I/O: 64 MiB through exec's stdout to a host file{label}", mib / ours,
                f"the guest's own pipe ({name} | cat)", mib / pipe, "MiB/s")
    os.unlink(out_path)
    ctx.row("I/O: one byte echoed through exec -t (round trip)",
            _tty_echo_seconds(runtime, cid, ctx.args.reps))
    runtime.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
