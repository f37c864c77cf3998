#!/usr/bin/env python3
"""OCI runtime conformance suite: runs every case of cases.py against one
runtime binary and prints one TAP line per case and a summary line.

  run-suite.py --runtime PATH --name NAME --checker PATH [--root DIR]
               [--deviations FILE] [--timeout S] [--only REGEX] [--keep]

See docs/conformance.md."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep the source tree clean

# The cases_* modules register their cases in import order.
import cases_lifecycle  # noqa: E402,F401
import cases_hooks  # noqa: E402,F401
import cases_process  # noqa: E402,F401
import cases_linux  # noqa: E402,F401
import harness  # noqa: E402
from registry import CASES  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))


class Deviation:
    """One line of a deviations file: the case still runs; failures whose
    text matches `pattern` are excused, any other failure fails the case."""

    def __init__(self, pattern, reason):
        self.pattern = pattern
        self.reason = reason


def excuses(deviation, failure):
    return deviation is not None and deviation.pattern.search(failure) is not None


DEVIATION_LINE = re.compile(r'^(\S+)\s+"([^"]+)"\s*(.*)$')


def load_deviations(path):
    """known-deviations.txt: one `case-name "REGEX" reason...` per line;
    blank lines and lines starting with # are ignored. REGEX (Python syntax,
    searched in each failure message of the case) names the assertion the
    deviation excuses. Returns {case name: Deviation}; raises ValueError on a
    line without a pattern (it would excuse nothing or everything)."""
    deviations = {}
    if not path:
        return deviations
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = DEVIATION_LINE.match(line)
            if not m:
                raise ValueError(f'{path}:{number}: expected `case-name "REGEX" reason`')
            name, pattern, reason = m.groups()
            deviations[name] = Deviation(re.compile(pattern),
                                         reason or "listed in " + os.path.basename(path))
    return deviations


def make_template(workdir):
    """The busybox rootfs and default config every case starts from."""
    template = os.path.join(workdir, "template")
    subprocess.run([os.path.join(REPO, "scripts", "make-bundle.sh"), template, "/checker"],
                   check=True, timeout=300, stdout=subprocess.DEVNULL)
    with open(os.path.join(template, "config.json")) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runtime", required=True, help="the runtime binary under test")
    ap.add_argument("--name", required=True, help="the runtime's name (printed in the report)")
    ap.add_argument("--checker", default=None, help="the static oci-checker binary")
    ap.add_argument("--root", default=None, help="pass --root DIR to every runtime command")
    ap.add_argument("--deviations", default=None, help="known deviations file")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds to wait for a started container to stop (default 30)")
    ap.add_argument("--only", default=None, help="run only cases whose name matches REGEX")
    ap.add_argument("--workdir", default=None, help="where bundles go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (for debugging)")
    ap.add_argument("--verbose", action="store_true", help="print the checker's TAP output")
    ap.add_argument("--list", action="store_true", help="list the case names and exit")
    args = ap.parse_args()

    cases = [(n, fn) for n, fn in CASES if not args.only or re.search(args.only, n)]
    if args.list:
        print("\n".join(n for n, _ in cases))
        return 0
    if not args.checker:
        ap.error("--checker is required")
    if os.geteuid() != 0:
        print("Bail out! the suite needs root")
        return 2
    runtime_path = shutil.which(args.runtime) or args.runtime
    if not os.access(runtime_path, os.X_OK) or os.path.isdir(runtime_path):
        print(f"Bail out! runtime {runtime_path} is not an executable file")
        return 2
    if not os.access(args.checker, os.R_OK):
        print(f"Bail out! checker {args.checker} cannot be read")
        return 2
    try:
        deviations = load_deviations(args.deviations)
    except (OSError, ValueError, re.error) as e:
        print(f"Bail out! deviations: {e}")
        return 2
    known = {n for n, _ in CASES}
    for name in sorted(set(deviations) - known):
        print(f"# {args.deviations} names no case {name!r}: remove it")
    workdir = tempfile.mkdtemp(prefix="oci-conformance-", dir=args.workdir)
    os.chmod(workdir, 0o755)
    if args.root:
        os.makedirs(args.root, exist_ok=True)
    passed = failed = excused = points_skipped = 0
    not_seen = []  # listed deviations whose case passed in full
    try:
        template = make_template(workdir)
        runtime = harness.Runtime(runtime_path, args.root, args.timeout)
        print(f"# {args.name}: {runtime_path}, {len(cases)} cases")
        print(f"1..{len(cases)}")
        for number, (name, fn) in enumerate(cases, 1):
            deviation = deviations.get(name)
            ctx = harness.Context(runtime, template, args.checker, workdir, name)
            ctx.verbose = args.verbose
            try:
                fn(ctx)
            except harness.CaseFailure as e:
                ctx.fail(str(e))
            except Exception:  # noqa: BLE001 - a broken case is a failed case
                ctx.fail("exception: " + traceback.format_exc().strip().replace("\n", "\n#   "))
            finally:
                ctx.cleanup()
            others = [f for f in ctx.failures if not excuses(deviation, f)]
            if others:
                failed += 1
                print(f"not ok {number} - {name}")
                for f in ctx.failures:
                    tag = "(excused by known deviation) " if excuses(deviation, f) else ""
                    print("#   " + tag + f.replace("\n", "\n#   "))
            elif ctx.failures:
                # TAP's TODO: an expected failure, counted apart.
                excused += 1
                print(f"not ok {number} - {name} # TODO known deviation: {deviation.reason}")
                for f in ctx.failures:
                    print("#   excused: " + f.replace("\n", "\n#   "))
            else:
                passed += 1
                print(f"ok {number} - {name}")
                if deviation is not None:
                    not_seen.append(name)
                    print(f"#   listed as a known deviation but passed in full: "
                          f"remove it from {args.deviations}")
            for point in ctx.skipped:
                print("#   checker skipped: " + point)
            points_skipped += len(ctx.skipped)
            for note in ctx.notes:
                print("#   " + note)
            sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if not_seen:
        print("# known deviations not seen (the cases passed): " + ", ".join(not_seen))
    print(f"{passed} passed, {failed} failed, {excused} known deviations, "
          f"{points_skipped} checker points skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
