"""What every benchmark section shares: the two runtimes behind one CLI, the
scratch directory, bundles, process-tree memory, and the result rows."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
DEVNULL = subprocess.DEVNULL

# An idle container: a shell that ignores SIGUSR1 (the control-path figure
# sends it) and sleeps; `sleep` inherits the ignored disposition.
IDLE = ["sh", "-c", 'trap "" USR1; while :; do sleep 1000; done']


def median(values):
    return statistics.median(values) if values else float("nan")


def find_ch_runc():
    for candidate in (os.environ.get("CH_RUNC"), os.path.join(SRC, "build", "bin", "ch-runc"),
                      shutil.which("ch-runc")):
        if candidate and os.access(candidate, os.X_OK):
            # Absolute: docker and podman run it from their own directories.
            return os.path.abspath(candidate)
    sys.exit("bench: no ch-runc binary (build it, or set CH_RUNC)")


class Runtime:
    """ch-runc or runc: the same command surface, each with its own --root."""

    def __init__(self, name, binary, root):
        self.name, self.binary, self.root = name, binary, root

    def argv(self, *args):
        return [self.binary, "--root", self.root, *args]

    def call(self, *args, **kwargs):
        kwargs.setdefault("stdin", DEVNULL)
        return subprocess.run(self.argv(*args), **kwargs)

    def timed(self, *args, **kwargs):
        start = time.monotonic()
        result = self.call(*args, **kwargs)
        return time.monotonic() - start, result

    def run_plain(self, *args, **kwargs):
        """The binary with ARGS alone (no --root), timed."""
        start = time.monotonic()
        result = subprocess.run([self.binary, *args], check=False, **kwargs)
        return time.monotonic() - start, result

    def state(self, cid):
        r = self.call("state", cid, stdout=subprocess.PIPE, stderr=DEVNULL, text=True)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def start_idle(self, bundle, cid, env=None):
        """`run -d` of an idle bundle; the container's host pid, or None."""
        r = self.call("run", "-d", "--bundle", bundle, cid, stdout=DEVNULL, stderr=DEVNULL,
                      env=env)
        state = self.state(cid) if r.returncode == 0 else None
        if not state or state.get("status") != "running":
            return None
        return state["pid"]

    def delete_all(self):
        if not os.path.isdir(self.root):
            return
        for cid in sorted(os.listdir(self.root)):
            if os.path.isdir(os.path.join(self.root, cid)):
                self.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)


class Context:
    """One benchmark run: scratch space, both runtimes, the result rows."""

    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="ch-runc-bench.")
        self.ours = Runtime("ch-runc", find_ch_runc(), os.path.join(self.tmp, "root"))
        runc = shutil.which("runc")
        self.runc = Runtime("runc", runc, os.path.join(self.tmp, "runc-root")) if runc else None
        self.rows = []
        self.counter = 0
        self.bundles = {}
        # The build tree's guest image, unless a host config is given.
        if "CHRUNC_CONFIG" not in os.environ:
            guest = os.path.join(SRC, "build", "guest")
            config = os.path.join(self.tmp, "ch-runc.yaml")
            with open(config, "w") as f:
                f.write(f"kernel: {guest}/vmlinux\ninitramfs: {guest}/initramfs.cpio\n")
            os.environ["CHRUNC_CONFIG"] = config

    def runtimes(self):
        return [r for r in (self.ours, self.runc) if r]

    def new_id(self, prefix):
        self.counter += 1
        return f"bench-{prefix}-{os.getpid()}-{self.counter}"

    def bundle(self, name, *command, mounts=()):
        """A busybox bundle running COMMAND, made once per run; mounts are
        (host dir, container dir, read-only) binds."""
        if name not in self.bundles:
            path = os.path.join(self.tmp, "bundles", name)
            subprocess.run([os.path.join(SRC, "scripts", "make-bundle.sh"), path, *command],
                           check=True)
            if mounts:
                config_path = os.path.join(path, "config.json")
                with open(config_path) as f:
                    config = json.load(f)
                for source, destination, read_only in mounts:
                    options = ["rbind", "ro" if read_only else "rw"]
                    config["mounts"].append({"destination": destination, "type": "bind",
                                             "source": source, "options": options})
                with open(config_path, "w") as f:
                    json.dump(config, f, indent=2)
            self.bundles[name] = path
        return self.bundles[name]

    def row(self, what, ours, baseline_name="", baseline=float("nan"), unit="s"):
        """One table row; the ratio is ours / baseline (both from this run)."""
        ok = baseline_name and baseline == baseline and baseline > 0
        ratio = ours / baseline if ok else float("nan")
        self.rows.append((what, ours, baseline_name, baseline, ratio, unit))

    def cleanup(self):
        for runtime in self.runtimes():
            runtime.delete_all()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def accelerator(self):
        """KVM or TCG: what ch-runc's backend choice uses here, from `ch-runc
        check` (its "hypervisor: auto -> ..." line), with the reason."""
        try:
            out = subprocess.run([self.ours.binary, "check"], capture_output=True, text=True,
                                 timeout=120).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"unknown ({e})"
        line = next((l for l in out.splitlines() if l.startswith("hypervisor:")), "")
        kind = "TCG" if "TCG" in line else "KVM" if "KVM" in line or "cloud-hypervisor" in line \
            else "unknown"
        return f"{kind} ({line.strip()})" if line else kind

    def print_table(self, out=sys.stdout):
        print(f"Accelerator: {self.accelerator()}", file=out)
        print("", file=out)
        print("| measure | ch-runc | baseline | baseline value | ratio |", file=out)
        print("|---|---|---|---|---|", file=out)
        for what, ours, bname, base, ratio, unit in self.rows:
            r = "n/a" if ratio != ratio else f"{ratio:.2f}x"
            b = fmt(base, unit) if bname else "-"
            print(f"| {what} | {fmt(ours, unit)} | {bname or '-'} | {b} | {r} |", file=out)


def fmt(value, unit):
    if value != value:
        return "n/a"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "MiB/s":
        return f"{value:.1f} MiB/s"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.3f} {unit}"


# --- process memory -------------------------------------------------------

def _children_map():
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def pool_env(ctx, size):
    """An environment whose host config adds a warm pool of SIZE standbys
    under the run's temporary directory."""
    pool_dir = os.path.join(ctx.tmp, "pool")
    config = os.path.join(ctx.tmp, f"ch-runc-pool{size}.yaml")
    with open(os.environ["CHRUNC_CONFIG"]) as f:
        text = f.read()
    with open(config, "w") as f:
        f.write(text + f"\npool:\n  size: {size}\n  dir: {pool_dir}\n")
    return dict(os.environ, CHRUNC_CONFIG=config)


def claimed_standby(ctx, cid):
    """Whether ch-runc's container CID (not deleted yet) took a standby."""
    try:
        with open(os.path.join(ctx.ours.root, cid, "timing.log")) as f:
            return "standby-claimed" in f.read()
    except OSError:
        return False


def process_tree(pid):
    children = _children_map()
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            match = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def role(pid):
    """monitor, vmm, virtiofsd or container (runc's processes)."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        return "gone"
    if comm.startswith("qemu-system") or comm.startswith("cloud-hyperviso"):
        return "vmm"
    if comm.startswith("virtiofsd"):
        return "virtiofsd"
    return comm


def guest_memory_resident_kib(pid):
    """Resident host memory of the VMM's guest-RAM mapping (the memfd backend
    that virtiofs needs), or None when no such mapping is found."""
    total, found, in_guest_ram = 0, False, False
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    in_guest_ram = "memory-backend" in line or "ch_ram" in line
                    found = found or in_guest_ram
                elif in_guest_ram and line.startswith("Rss:"):
                    total += int(line.split()[1])
    except OSError:
        return None
    return total if found else None
