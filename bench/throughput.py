"""I/O through a container against runc: 256 MiB written to the container's
stdout into a host file, and a 64 MiB file read from a bind mount. Both are
timed on the host between markers the container prints, so the boot and the
teardown are not part of the figure."""
import os
import subprocess
import time

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
