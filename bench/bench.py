#!/usr/bin/env python3
"""ch-runc benchmarks: figures, not pass/fail.

Every figure is measured in the same run as its baseline and reported as a
ratio, so that the numbers mean something on a noisy 2-core machine:

  lifecycle  `ch-runc run` of busybox `true` against the floor (the same VMM,
             kernel and initramfs booting to an agent that powers off at
             once, no runtime around it), against `runc run` of the same
             bundle and, with --compare, against another ch-runc build;
             interleaved, median of --runs.
  docker     `docker run --rm busybox echo hi` (the whole client command)
             with ch-runc against docker's own runc, in a dockerd started for
             it, interleaved, median of --runs.
  phases     where ch-runc's time goes: the monitor's timing.log (host clock)
             and the agent's --debug marks (guest clock), median of --runs.
  memory     host PSS of the monitor, the VMM and virtiofsd for 1 and for
             --memory-count idle containers (per-container mean), and the
             guest RAM touched; against runc's container processes. Then
             --memory-count idle containers that took standbys of a warm
             pool of that size (monitors plus what the standbys left
             running), against the cold ones.
  io         256 MiB through stdout to a host file; a 64 MiB file read from a
             bind mount; against runc (median of --io-runs).
  execio     64 MiB through `exec`'s stdout to a host file against the same
             bytes through a pipe inside the container, written in 64 KiB
             (dd) and in small writes (busybox head), and a byte echoed
             through `exec -t` (median of 3 x --io-runs, and of --reps).
  control    `state` and `kill ID USR1` of a running container against runc
             (median of --reps).
  density    idle containers started and left running until the first
             failure, up to --density; everything is deleted afterwards.
  warm       `run` of busybox `true` taking a standby of a warm pool of 1
             (docs/warm-pool.md) against a cold `run`, each against runc
             (--runs; the pool refills, untimed, between runs).

Run as root: bench/bench.py [--only lifecycle,phases,...] [--runs N] ...
Prints a Markdown table on stdout (progress on stderr).
"""
import argparse
import signal
import sys
import time

from benchlib import Context
from control import control
from lifecycle import docker, lifecycle, phases
from memory import density, memory
from throughput import exec_io, io
from warm import warm

SECTIONS = {"lifecycle": lifecycle, "docker": docker, "phases": phases, "memory": memory, "io": io, "execio": exec_io,
            "control": control, "density": density, "warm": warm}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="comma-separated sections (default: all): " + ", ".join(SECTIONS))
    parser.add_argument("--runs", type=int, default=5, help="lifecycle and phase runs (5)")
    parser.add_argument("--memory-count", type=int, default=10,
                        help="idle containers for the many-containers memory figure (10)")
    parser.add_argument("--io-runs", type=int, default=3, help="runs of each I/O figure (3)")
    parser.add_argument("--reps", type=int, default=20, help="control-path repetitions (20)")
    parser.add_argument("--density", type=int, default=20,
                        help="bound on idle containers for the density figure (20)")
    parser.add_argument("--image", action="append", default=[], metavar="DIR",
                        help="another guest image directory (vmlinux, initramfs.cpio, "
                             "kernel-release) whose VM floor lifecycle also reports")
    parser.add_argument("--compare", metavar="CH_RUNC",
                        help="another ch-runc binary to interleave in the lifecycle figure")
    args = parser.parse_args()
    sections = [s for s in args.only.split(",") if s]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    if min(args.runs, args.memory_count, args.io_runs, args.reps, args.density) < 1:
        parser.error("counts must be at least 1")
    return args, sections


def interrupted(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main():
    args, sections = parse_args()
    signal.signal(signal.SIGTERM, interrupted)
    ctx = Context(args)
    status = 0
    try:
        for name in sections:
            begin = time.monotonic()
            print(f"bench: {name}...", file=sys.stderr, flush=True)
            try:
                SECTIONS[name](ctx)
            except RuntimeError as e:
                print(f"bench: {name}: {e}", file=sys.stderr)
                status = 1
            print(f"bench: {name} took {time.monotonic() - begin:.0f} s", file=sys.stderr)
    except KeyboardInterrupt:
        print("bench: interrupted; deleting every container it started", file=sys.stderr)
        status = 130
    finally:
        # A second ^C must not cut the clean-up short (children inherit SIG_IGN).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        ctx.cleanup()
    ctx.print_table()
    sys.exit(status)


if __name__ == "__main__":
    main()
