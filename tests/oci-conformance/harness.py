"""The conformance driver's machinery: running the runtime under test the way
the OCI runtime-tools validation suite does, making bundles, and collecting
failures. The cases themselves are in cases.py."""

import copy
import json
import os
import shutil
import subprocess
import tempfile
import time

# A bound for runtime commands that should return at once (state, kill, ...).
COMMAND_TIMEOUT = 30


class CaseFailure(Exception):
    """Raised to stop a case at a failure the rest of it depends on."""


class Runtime:
    """The runtime binary under test, called with no global flags except an
    optional --root (so tests need not touch /run)."""

    def __init__(self, path, root=None, wait_timeout=30.0):
        self.path = path
        self.root = root
        self.wait_timeout = wait_timeout
        # create boots a VM for ch-runc: allow well beyond one container's run.
        self.create_timeout = max(60.0, 3 * wait_timeout)

    def argv(self, *args):
        base = [self.path] + (["--root", self.root] if self.root else [])
        return base + [str(a) for a in args]

    def run(self, *args, timeout=COMMAND_TIMEOUT, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
        """Runs one command; returns (exit status, stdout text, stderr text).
        A command that outlives `timeout` counts as exit status -1."""
        try:
            p = subprocess.run(self.argv(*args), stdin=subprocess.DEVNULL, stdout=stdout,
                               stderr=stderr, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1, "", f"timed out after {timeout}s"
        except OSError as e:
            return -1, "", f"cannot run {self.path}: {e}"
        out = p.stdout.decode(errors="replace") if isinstance(p.stdout, bytes) else ""
        err = p.stderr.decode(errors="replace") if isinstance(p.stderr, bytes) else ""
        return p.returncode, out, err

    def create(self, bundle, cid, pid_file=None):
        """`create --bundle B [--pid-file P] ID` with stdout/stderr going to
        B/stdout and B/stderr, as the official suite does."""
        args = ["create", "--bundle", bundle.path]
        if pid_file:
            args += ["--pid-file", pid_file]
        args.append(cid)
        with open(bundle.stdout, "ab") as out, open(bundle.stderr, "ab") as err:
            rc, _, _ = self.run(*args, timeout=self.create_timeout, stdout=out, stderr=err)
        return rc, bundle.read("stderr")

    def state(self, cid):
        """The state JSON as a dict, or None when `state` fails."""
        rc, out, _ = self.run("state", cid)
        if rc != 0:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return None

    def status(self, cid):
        s = self.state(cid)
        return s.get("status") if s else None

    def wait_status(self, cid, wanted="stopped", timeout=None):
        """Polls `state` once a second until the status is `wanted`; returns
        the last status seen (None when state failed)."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        while True:
            status = self.status(cid)
            if status == wanted or time.monotonic() >= deadline:
                return status
            time.sleep(1)


class Bundle:
    """One case's bundle: rootfs (busybox + /checker + /config.json) and
    config.json, plus the stdout/stderr files the container writes."""

    def __init__(self, path, config):
        self.path = path
        self.config = config
        self.rootfs = os.path.join(path, "rootfs")
        self.stdout = os.path.join(path, "stdout")
        self.stderr = os.path.join(path, "stderr")

    def file(self, name):
        return os.path.join(self.path, name)

    def read(self, name, default=""):
        try:
            with open(os.path.join(self.path, name), errors="replace") as f:
                return f.read()
        except OSError:
            return default

    def write_config(self):
        text = json.dumps(self.config, indent=2)
        for target in (os.path.join(self.path, "config.json"),
                       os.path.join(self.rootfs, "config.json")):
            with open(target, "w") as f:
                f.write(text)
            os.chmod(target, 0o644)


def parse_tap(text):
    """Reads the checker's TAP output. Returns (problems, skipped): the failed
    points and plan errors (empty: all ok), and the points the checker
    skipped (`ok N - desc # SKIP reason`), as "desc: reason". A skipped point
    proved nothing, so it is reported apart, never counted as ok."""
    problems, skipped, points, plan = [], [], 0, None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("ok ") or line.startswith("not ok "):
            points += 1
            if line.startswith("not ok "):
                detail = ""
                if i + 1 < len(lines) and lines[i + 1].startswith("#"):
                    detail = ": " + lines[i + 1][1:].strip()
                problems.append("checker: " + line.split(" - ", 1)[-1] + detail)
            else:
                desc, sep, reason = line.split(" - ", 1)[-1].partition(" # SKIP")
                if sep:
                    skipped.append(f"{desc}: {reason.strip()}")
        elif line.startswith("1.."):
            plan = int(line[3:] or 0)
    if plan is None:
        problems.append("checker printed no TAP plan (did it run?)")
    elif plan != points:
        problems.append(f"checker planned {plan} tests but printed {points}")
    return problems, skipped


class Context:
    """What a case gets: the runtime, bundle factories, a failure list, and
    cleanup of everything the case made."""

    def __init__(self, runtime, template, checker, workdir, name):
        self.runtime = runtime
        self.template = template  # dict: the default config.json
        self.template_rootfs = os.path.join(workdir, "template", "rootfs")
        self.checker = checker
        self.workdir = workdir
        self.name = name
        self.failures = []
        self.notes = []  # printed as diagnostics with --verbose
        self.skipped = []  # checker points skipped ("desc: reason"), reported apart
        self.verbose = False
        self.ids = []
        self.dirs = []
        self.cleanups = []
        self._serial = 0

    # --- results -------------------------------------------------------
    def fail(self, message):
        self.failures.append(message)

    def check(self, condition, message):
        if not condition:
            self.fail(message)
        return condition

    def require(self, condition, message):
        if not condition:
            raise CaseFailure(message)

    # --- resources ------------------------------------------------------
    def new_id(self):
        self._serial += 1
        cid = f"conf-{self.name}-{os.getpid()}-{self._serial}"
        self.ids.append(cid)
        return cid

    def temp_dir(self, prefix="conf-host-"):
        d = tempfile.mkdtemp(prefix=prefix, dir=self.workdir)
        self.dirs.append(d)
        return d

    def config(self, args=None):
        """A fresh copy of the default config running `args` (default: the checker)."""
        c = copy.deepcopy(self.template)
        c["process"]["args"] = list(args) if args else ["/checker"]
        return c

    def bundle(self, config):
        path = tempfile.mkdtemp(prefix=f"bundle-{self.name}-", dir=self.workdir)
        self.dirs.append(path)
        os.chmod(path, 0o755)
        subprocess.run(["cp", "-a", self.template_rootfs, os.path.join(path, "rootfs")],
                       check=True, timeout=60)
        shutil.copy(self.checker, os.path.join(path, "rootfs", "checker"))
        os.chmod(os.path.join(path, "rootfs", "checker"), 0o755)
        b = Bundle(path, config)
        for name in ("stdout", "stderr"):
            open(b.file(name), "w").close()
        b.write_config()
        return b

    def on_cleanup(self, fn):
        self.cleanups.append(fn)

    def cleanup(self):
        for cid in self.ids:
            self.runtime.run("delete", "--force", cid)
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - cleanup must go on
                self.fail(f"cleanup: {e}")
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)

    # --- the official suite's sequence ----------------------------------
    def create_ok(self, bundle, pid_file=None):
        cid = self.new_id()
        rc, err = self.runtime.create(bundle, cid, pid_file)
        self.require(rc == 0, f"create failed (exit {rc}): {err.strip()[-500:]}")
        return cid

    def start_ok(self, cid):
        rc, _, err = self.runtime.run("start", cid)
        self.require(rc == 0, f"start failed (exit {rc}): {err.strip()[-500:]}")

    def wait_stopped(self, cid):
        status = self.runtime.wait_status(cid, "stopped")
        self.require(status == "stopped",
                     f"container not stopped after {self.runtime.wait_timeout}s (status {status})")

    def delete_ok(self, cid, force=False):
        rc, _, err = self.runtime.run("delete", *(["--force"] if force else []), cid)
        self.check(rc == 0, f"delete{' --force' if force else ''} failed (exit {rc}): "
                   f"{err.strip()[-300:]}")
        self.check(self.runtime.state(cid) is None, "state still succeeds after delete")

    def run_checker(self, config, prepare=None, while_created=None, after_delete=None,
                    pid_file=False):
        """The official suite's sequence around the checker: [prepare(bundle)],
        create, [host checks while created], start, wait for stopped, read the
        TAP output, kill KILL, delete, [checks after delete]."""
        b = self.bundle(config)
        if prepare:
            prepare(b)
        pid_path = b.file("pid") if pid_file else None
        cid = self.create_ok(b, pid_path)
        state = self.runtime.state(cid)
        self.require(state is not None, "state fails right after create")
        self.check(state.get("status") == "created",
                   f"status after create is {state.get('status')!r}, not 'created'")
        if while_created:
            while_created(b, cid, state)
        self.start_ok(cid)
        status = self.runtime.wait_status(cid, "stopped")
        tap = b.read("stdout")
        if self.verbose:
            self.notes += ["checker: " + line for line in tap.splitlines()]
        if status != "stopped":
            self.fail(f"container not stopped after {self.runtime.wait_timeout}s "
                      f"(status {status})")
        problems, skipped = parse_tap(tap)
        for problem in problems:
            self.fail(problem)
        self.skipped += skipped
        if not tap.strip():
            err = b.read("stderr").strip()
            if err:
                self.fail("container stderr: " + err[-400:])
        self.runtime.run("kill", cid, "KILL")  # as the official suite; may fail when stopped
        self.delete_ok(cid)
        if after_delete:
            after_delete(b, cid, state)
        return b
