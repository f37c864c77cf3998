"""Lifecycle latency against the VM floor and runc, and where ch-runc's time
goes (the monitor's timing.log, plus the agent's guest-clock marks)."""
import os
import re
import subprocess
import sys

from benchlib import DEVNULL, SRC, Runtime, median


def guest_images(extra=()):
    """The guest images to compare, (kernel release, vmlinux, initramfs):
    build/guest (the configured kernel), build/guest/debian (the Debian
    kernel, `ninja guest-image-debian`) where they exist, and every --image
    directory (e.g. one made by guest/build-image.sh with the other kernel)."""
    images, seen = [], set()
    for d in (os.path.join(SRC, "build", "guest"), os.path.join(SRC, "build", "guest", "debian"),
              *extra):
        kernel, initramfs = os.path.join(d, "vmlinux"), os.path.join(d, "initramfs.cpio")
        if not (os.path.isfile(kernel) and os.path.isfile(initramfs)):
            continue
        try:
            release = open(os.path.join(d, "kernel-release")).read().strip()
        except OSError:
            release = os.path.relpath(d, SRC)
        if release in seen:
            continue
        seen.add(release)
        images.append((release, kernel, initramfs))
    return images


def lifecycle(ctx):
    bundle = ctx.bundle("true", "true")
    floor_tool = os.path.join(SRC, "build", "bench", "vm-floor")
    ours, runc, floor, other = [], [], [], []
    # The VM floor to a ready agent (VMM start to the agent serving) of each
    # guest kernel built here: what the kernel and the agent's start cost.
    images = guest_images(ctx.args.image) if os.access(floor_tool, os.X_OK) else []
    ready = {release: [] for release, _, _ in images}
    # --compare: another ch-runc build (e.g. before a change), interleaved.
    compare = Runtime("compare", ctx.args.compare, os.path.join(ctx.tmp, "compare-root")) \
        if ctx.args.compare else None
    for _ in range(ctx.args.runs):
        t, r = ctx.ours.timed("run", "--bundle", bundle, ctx.new_id("life"), stdout=DEVNULL,
                              stderr=DEVNULL)
        if r.returncode == 0:
            ours.append(t)
        if compare:
            t, r = compare.timed("run", "--bundle", bundle, ctx.new_id("life"), stdout=DEVNULL,
                                 stderr=DEVNULL)
            if r.returncode == 0:
                other.append(t)
        if os.access(floor_tool, os.X_OK):
            r = subprocess.run([floor_tool], stdout=subprocess.PIPE, stderr=DEVNULL, text=True)
            if r.returncode == 0:
                floor.append(float(r.stdout.strip()))
        for release, kernel, initramfs in images:
            r = subprocess.run([floor_tool, "--ready", kernel, initramfs], stdout=subprocess.PIPE,
                               stderr=DEVNULL, text=True)
            if r.returncode == 0:
                ready[release].append(float(r.stdout.strip()))
        if ctx.runc:
            t, r = ctx.runc.timed("run", "--bundle", bundle, ctx.new_id("life"), stdout=DEVNULL)
            if r.returncode == 0:
                runc.append(t)
    ctx.row("run busybox true (create+start+exit+delete)", median(ours), "VM floor", median(floor))
    ctx.row("run busybox true", median(ours), "runc run", median(runc))
    for release, times in ready.items():
        ctx.row(f"VM floor to agent ready, kernel {release}", median(times), "runc run",
                median(runc))
    if compare:
        ctx.row("run busybox true", median(ours), "--compare ch-runc", median(other))
        compare.delete_all()


# The agent's --debug lines on the console: "[<guest uptime>] <what>".
GUEST_MARKS = [("filesystems mounted", "guest: /init running"),
               ("loaded", "guest: modules loaded"),
               ("switched to a tmpfs root", "guest: tmpfs root"),
               ("gRPC server up", "guest: gRPC server up"),
               ("serving on", "guest: agent serving"),
               ("listening on vsock", "guest: agent serving")]


def phases(ctx):
    """Median per phase over --runs runs of `run --keep --debug` (the gap
    between one timing.log mark and the one before it)."""
    bundle = ctx.bundle("true", "true")
    gaps, guest, order = {}, {}, []
    for _ in range(ctx.args.runs):
        cid = ctx.new_id("phases")
        r = ctx.ours.call("--debug", "run", "--keep", "--bundle", bundle, cid, stdout=DEVNULL,
                          stderr=DEVNULL)
        state_dir = os.path.join(ctx.ours.root, cid)
        if r.returncode == 0:
            previous, first = None, None
            for line in open(os.path.join(state_dir, "timing.log")):
                parts = line.split()
                if len(parts) < 3:
                    continue
                name, stamp = parts[0], float(parts[2])  # CLOCK_MONOTONIC
                if name not in order:
                    order.append(name)
                if previous is not None:
                    gaps.setdefault(name, []).append(stamp - previous)
                else:
                    first = stamp
                previous = stamp
            gaps.setdefault("total (create to torn-down)", []).append(previous - first)
            read_guest_marks(os.path.join(state_dir, "console.log"), guest)
        ctx.ours.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    for name in order[1:]:
        ctx.row(f"phase: {name} (host clock, since previous mark)", median(gaps.get(name, [])))
    ctx.row("phase: total, create to torn-down (host clock)",
            median(gaps.get("total (create to torn-down)", [])))
    for label in dict.fromkeys(label for _, label in GUEST_MARKS):
        if label in guest:
            ctx.row(f"{label} (guest uptime)", median(guest[label]))


def read_guest_marks(console_log, into):
    try:
        text = open(console_log, errors="replace").read()
    except OSError:
        return
    for needle, label in GUEST_MARKS:
        match = re.search(r"\[(\d+\.\d+)\] " + re.escape(needle), text)
        if match:
            into.setdefault(label, []).append(float(match.group(1)))


def docker(ctx):
    """`docker run --rm IMAGE echo hi` with ch-runc against docker's own runc,
    in one dockerd started for it (bench/docker_run.sh), interleaved."""
    script = os.path.join(SRC, "bench", "docker_run.sh")
    r = subprocess.run([script, ctx.ours.binary, str(ctx.args.runs), os.environ["CHRUNC_CONFIG"]],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
    if r.returncode == 77:
        print(f"bench: docker: skipped: {r.stderr.strip()}", file=sys.stderr)
        return
    times = {"runc": [], "ch-runc": []}
    for line in r.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in times and value != "failed":
            times[name].append(float(value))
    if r.returncode != 0 or not times["ch-runc"]:
        raise RuntimeError(f"docker run failed: {r.stderr.strip()[-300:]}")
    ctx.row("docker run --rm busybox echo hi (whole client command)", median(times["ch-runc"]),
            "docker run --runtime runc", median(times["runc"]))
