"""process.* cases, and root, mounts, propagation, masked and read-only paths."""

import os
import subprocess

from registry import case, check_nothing_left

# --- process ----------------------------------------------------------------

@case("process-args-env-cwd")
def process_args_env_cwd(ctx):
    c = ctx.config(["/checker", "one", "two words", ""])
    c["process"]["env"].append("CONF_VAR=some value=with equals")
    c["process"]["cwd"] = "/tmp"
    ctx.run_checker(c)


@case("process-user")
def process_user(ctx):
    c = ctx.config()
    c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 100], "umask": 0o27}
    ctx.run_checker(c)


@case("process-rlimits")
def process_rlimits(ctx):
    c = ctx.config()
    c["process"]["rlimits"] = [
        {"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
        {"type": "RLIMIT_NPROC", "soft": 3000, "hard": 4000},
        {"type": "RLIMIT_CORE", "soft": 0, "hard": 1048576},
        {"type": "RLIMIT_MEMLOCK", "soft": 65536, "hard": 131072},
    ]
    ctx.run_checker(c)


@case("process-capabilities")
def process_capabilities(ctx):
    c = ctx.config()
    caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN"]
    c["process"]["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps,
                                    "inheritable": ["CAP_CHOWN"], "ambient": ["CAP_CHOWN"]}
    ctx.run_checker(c)


@case("process-capability-sys-resource")
def process_capability_sys_resource(ctx):
    # CAP_SYS_RESOURCE is missing from this CI host's bounding set; a VM can grant it.
    c = ctx.config()
    caps = ["CAP_KILL", "CAP_SYS_RESOURCE"]
    c["process"]["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    ctx.run_checker(c)


# Every capability Linux 5.9 and later knows, in number order (0-40).
ALL_CAPABILITIES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE"]


@case("process-capabilities-all")
def process_capabilities_all(ctx):
    # Every capability in every set, whatever the host's bounding set lacks:
    # the container gets them all (a VM can; a host runtime only those the host has).
    c = ctx.config()
    c["process"]["capabilities"] = {k: ALL_CAPABILITIES for k in
                                    ("bounding", "effective", "permitted", "inheritable",
                                     "ambient")}
    ctx.run_checker(c)


@case("process-unknown-capability")
def process_unknown_capability(ctx):
    c = ctx.config(["/bin/true"])
    caps = ["CAP_KILL", "CAP_NOT_A_CAPABILITY"]
    c["process"]["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
    b = ctx.bundle(c)
    cid = ctx.new_id()
    rc, err = ctx.runtime.create(b, cid)
    ctx.check(rc != 0, "create accepted the unknown capability CAP_NOT_A_CAPABILITY")
    ctx.check(rc == 0 or "CAP_NOT_A_CAPABILITY" in err,
              f"create's error does not name the capability: {err.strip()[-300:]}")
    if rc != 0:
        check_nothing_left(ctx, cid)


@case("process-rlimits-unknown")
def process_rlimits_unknown(ctx):
    c = ctx.config(["/bin/true"])
    c["process"]["rlimits"] = [{"type": "RLIMIT_NOT_A_LIMIT", "soft": 1, "hard": 1}]
    b = ctx.bundle(c)
    cid = ctx.new_id()
    rc, err = ctx.runtime.create(b, cid)
    ctx.check(rc != 0, "create accepted the unknown rlimit RLIMIT_NOT_A_LIMIT")
    ctx.check(rc == 0 or "RLIMIT_NOT_A_LIMIT" in err,
              f"create's error does not name the rlimit: {err.strip()[-300:]}")


@case("process-no-new-privileges-false")
def process_nnp_false(ctx):
    c = ctx.config()
    c["process"]["noNewPrivileges"] = False
    ctx.run_checker(c)


@case("process-no-new-privileges-true")
def process_nnp_true(ctx):
    c = ctx.config()
    c["process"]["noNewPrivileges"] = True
    ctx.run_checker(c)


@case("process-oom-score-adj")
def process_oom_score_adj(ctx):
    c = ctx.config()
    c["process"]["oomScoreAdj"] = 500
    ctx.run_checker(c)


# --- root, mounts, paths ----------------------------------------------------

@case("root-readonly")
def root_readonly(ctx):
    c = ctx.config()
    c["root"]["readonly"] = True
    ctx.run_checker(c)


@case("mounts-tmpfs")
def mounts_tmpfs(ctx):
    c = ctx.config()
    c["mounts"].append({"destination": "/mnt/tmpfs", "type": "tmpfs", "source": "tmpfs",
                        "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=750"]})
    ctx.run_checker(c)


@case("mounts-bind")
def mounts_bind(ctx):
    rw, ro = ctx.temp_dir(), ctx.temp_dir()
    for d in (rw, ro):
        os.chmod(d, 0o777)
        with open(os.path.join(d, "from-host"), "w") as f:
            f.write("hello from host\n")
    c = ctx.config()
    c["mounts"] += [
        {"destination": "/mnt/bind", "type": "bind", "source": rw, "options": ["rbind", "rw"]},
        {"destination": "/mnt/robind", "type": "bind", "source": ro, "options": ["bind", "ro"]},
    ]

    def after_delete(b, cid, state):
        try:
            with open(os.path.join(rw, "from-container")) as f:
                text = f.read()
        except OSError:
            text = None
        ctx.check(text == "hello from container\n",
                  f"the host does not see the container's write in the bind mount ({text!r})")
        ctx.check(not os.path.exists(os.path.join(ro, "from-container")),
                  "the container wrote through a read-only bind mount")
    ctx.run_checker(c, after_delete=after_delete)


def propagation_case(mode):
    def run(ctx):
        c = ctx.config()
        c["linux"]["rootfsPropagation"] = mode

        def prepare(b):
            # As under docker and podman, the rootfs is a mount point, and a
            # shared one, so that every propagation type can be set up.
            for argv in (["mount", "--bind", b.rootfs, b.rootfs],
                         ["mount", "--make-shared", b.rootfs]):
                p = subprocess.run(argv, capture_output=True, timeout=10)
                ctx.require(p.returncode == 0, f"{' '.join(argv)}: {p.stderr.decode().strip()}")
            ctx.on_cleanup(lambda: subprocess.run(["umount", "-l", b.rootfs], timeout=10))
        ctx.run_checker(c, prepare=prepare)
    return run


for _mode in ("private", "slave", "shared", "unbindable"):
    case(f"rootfs-propagation-{_mode}")(propagation_case(_mode))


@case("masked-paths")
def masked_paths(ctx):
    c = ctx.config()
    c["linux"]["maskedPaths"] += ["/etc/masked-file", "/etc/masked-dir"]

    def prepare(b):
        os.makedirs(os.path.join(b.rootfs, "etc/masked-dir"))
        for name in ("etc/masked-file", "etc/masked-dir/secret"):
            with open(os.path.join(b.rootfs, name), "w") as f:
                f.write("secret\n")
    ctx.run_checker(c, prepare=prepare)


@case("readonly-paths")
def readonly_paths(ctx):
    c = ctx.config()
    c["linux"]["readonlyPaths"] += ["/etc/ro-dir"]
    ctx.run_checker(c, prepare=lambda b: os.makedirs(os.path.join(b.rootfs, "etc/ro-dir")))
