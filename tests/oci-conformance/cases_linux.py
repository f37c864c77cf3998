"""linux.* cases: devices, hostname, sysctl, namespaces, id mappings,
seccomp, cgroups; annotations."""

import errno
import os
import subprocess

from registry import case

# --- linux -------------------------------------------------------------------

@case("devices")
def devices(ctx):
    c = ctx.config()
    c["linux"]["devices"] = [
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666,
         "uid": 0, "gid": 0},
        {"path": "/dev/conf-char", "type": "c", "major": 1, "minor": 3, "fileMode": 0o640,
         "uid": 1, "gid": 2},
        {"path": "/dev/conf-block", "type": "b", "major": 7, "minor": 0, "fileMode": 0o600,
         "uid": 0, "gid": 0},
        {"path": "/dev/conf-fifo", "type": "p", "fileMode": 0o644},
    ]
    ctx.run_checker(c)


@case("hostname-domainname")
def hostname_domainname(ctx):
    c = ctx.config()
    c["hostname"] = "conformance-host"
    c["domainname"] = "conformance.example"
    ctx.run_checker(c)


@case("sysctl")
def sysctl(ctx):
    c = ctx.config()
    c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"}
    ctx.run_checker(c)


NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
            "cgroup": "cgroup", "user": "user"}


def ns_inode(path):
    return os.stat(path).st_ino


@case("namespaces-new")
def namespaces_new(ctx):
    c = ctx.config()
    c["linux"]["namespaces"] = [{"type": t} for t in
                                ("pid", "network", "ipc", "uts", "mount", "cgroup")]

    def while_created(b, cid, state):
        for t in ("pid", "network", "ipc", "uts", "mount", "cgroup"):
            f = NS_FILES[t]
            ctx.check(ns_inode(f"/proc/{state['pid']}/ns/{f}") != ns_inode(f"/proc/self/ns/{f}"),
                      f"state.pid shares the host's {t} namespace")
    ctx.run_checker(c, while_created=while_created)


def share_ns_case(kind):
    def run(ctx):
        c = ctx.config()
        c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != kind]
        if kind == "uts":
            c.pop("hostname", None)

        def while_created(b, cid, state):
            f = NS_FILES[kind]
            ctx.check(ns_inode(f"/proc/{state['pid']}/ns/{f}") == ns_inode(f"/proc/self/ns/{f}"),
                      f"state.pid is not in the host's {kind} namespace")
        ctx.run_checker(c, while_created=while_created)
    return run


for _kind in ("pid", "network", "ipc", "uts"):
    case(f"namespaces-host-{_kind}")(share_ns_case(_kind))


@case("namespaces-join-netns")
def namespaces_join_netns(ctx):
    name = f"conf-{os.getpid()}"
    p = subprocess.run(["ip", "netns", "add", name], capture_output=True, timeout=10)
    ctx.require(p.returncode == 0, f"ip netns add: {p.stderr.decode().strip()}")
    ctx.on_cleanup(lambda: subprocess.run(["ip", "netns", "delete", name], timeout=10))
    path = f"/run/netns/{name}"
    c = ctx.config()
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
    c["linux"]["namespaces"].append({"type": "network", "path": path})

    def while_created(b, cid, state):
        ctx.check(ns_inode(f"/proc/{state['pid']}/ns/net") == ns_inode(path),
                  f"state.pid is not in the network namespace {path}")
    ctx.run_checker(c, while_created=while_created)


@case("namespaces-user-mappings")
def namespaces_user_mappings(ctx):
    c = ctx.config()
    c["linux"]["namespaces"].append({"type": "user"})
    c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]

    def while_created(b, cid, state):
        ctx.check(ns_inode(f"/proc/{state['pid']}/ns/user") != ns_inode("/proc/self/ns/user"),
                  "state.pid shares the host's user namespace")
        for f in ("uid_map", "gid_map"):
            with open(f"/proc/{state['pid']}/{f}") as fh:
                got = fh.read().split()
            ctx.check(got == ["0", "100000", "65536"], f"/proc/<state.pid>/{f} is {got}")
    ctx.run_checker(c, while_created=while_created)


@case("seccomp")
def seccomp(ctx):
    c = ctx.config()
    c["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EXDEV},
            {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO"},
        ]}
    ctx.run_checker(c)


CGROUP_FILES = [  # (v1 controller, file, expected value) for the cgroups case's resources
    ("memory", "memory.limit_in_bytes", str(64 << 20)),
    ("memory", "memory.soft_limit_in_bytes", str(32 << 20)),
    ("pids", "pids.max", "64"),
    ("cpu", "cpu.shares", "512"),
    ("cpu", "cpu.cfs_quota_us", "50000"),
    ("cpu", "cpu.cfs_period_us", "100000"),
    ("cpuset", "cpuset.cpus", "0"),
]
CGROUP_CONTROLLERS = sorted({c for c, _, _ in CGROUP_FILES})


def cgroup_mounts():
    """Mount points of every cgroup hierarchy (v1 and v2) on the host."""
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if fields[sep + 1] in ("cgroup", "cgroup2"):
                mounts.append(fields[4])
    return mounts


def v1_mount(controller):
    """The host's v1 mount point of a controller, or None."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if fields[sep + 1] == "cgroup" and controller in fields[sep + 3].split(","):
                return fields[4]
    return None


def cgroups_case(relative):
    return lambda ctx: cgroups(ctx, relative)


def cgroups(ctx, relative):
    c = ctx.config()
    cgroups_path = f"/ch-conformance/{ctx.name}-{os.getpid()}"
    if relative:
        # The runtime chooses where a relative path starts; it must end there.
        cgroups_path = cgroups_path[1:]
    c["linux"]["cgroupsPath"] = cgroups_path
    c["linux"]["resources"] = {
        "memory": {"limit": 64 << 20, "reservation": 32 << 20}, "pids": {"limit": 64},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"}}
    c["mounts"].append({"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                        "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]})
    c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]

    found = {}  # controller -> the path /proc/<state.pid>/cgroup shows

    def host_dir(controller):
        mount = v1_mount(controller)
        path = found.get(controller, "/" + cgroups_path.lstrip("/"))
        return mount + path if mount else None

    def while_created(b, cid, state):
        with open(f"/proc/{state['pid']}/cgroup") as f:
            lines = f.read().splitlines()
        for controller in CGROUP_CONTROLLERS:
            line = [x for x in lines if controller in x.split(":")[1].split(",")]
            path = line[0].split(":", 2)[2] if line else ""
            ok = path.endswith("/" + cgroups_path) if relative else path == cgroups_path
            if ctx.check(ok, f"/proc/<state.pid>/cgroup {controller}: {line}, expected "
                         f"{'a path ending in ' if relative else ''}{cgroups_path}"):
                found[controller] = path
        for controller, name, want in CGROUP_FILES:
            d = host_dir(controller)
            if not d:
                ctx.fail(f"no v1 {controller} hierarchy on the host")
                continue
            try:
                with open(os.path.join(d, name)) as f:
                    got = f.read().strip()
            except OSError as e:
                got = str(e)
            ctx.check(got == want, f"host {d}/{name} is {got!r}, expected {want!r}")

    def after_delete(b, cid, state):
        for controller in CGROUP_CONTROLLERS:
            d = host_dir(controller)
            ctx.check(not d or not os.path.exists(d), f"{d} is left after delete")

    def remove_parents():
        # The runtime removes the container's cgroups; the parent it made in
        # every hierarchy (v1 and the v2 "unified" one) is ours to remove. A
        # relative path may start at a different place in each hierarchy.
        paths = set(found.values()) | {"/" + cgroups_path.lstrip("/")}
        for mount in cgroup_mounts():
            for path in paths:
                for d in (mount + path, os.path.dirname(mount + path)):
                    if os.path.isdir(d) and d != mount:
                        try:
                            os.rmdir(d)
                        except OSError:
                            pass  # not empty: another run's, or the runtime left it
    ctx.on_cleanup(remove_parents)
    ctx.run_checker(c, while_created=while_created, after_delete=after_delete)


case("cgroups")(cgroups_case(False))
case("cgroups-relative-path")(cgroups_case(True))


@case("annotations")
def annotations(ctx):
    c = ctx.config()
    c["annotations"] = {"org.example.conformance": "value", "org.example.empty": ""}

    def while_created(b, cid, state):
        ctx.check(state.get("annotations") == c["annotations"],
                  f"state.annotations {state.get('annotations')!r}")
    ctx.run_checker(c, while_created=while_created)
