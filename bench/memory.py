"""Memory per idle container (host PSS of every process the container costs,
and the guest RAM the VM touched), and density (idle containers running at
once until the first failure, up to a bound)."""
import re
import subprocess
import time

from benchlib import (DEVNULL, IDLE, claimed_standby, guest_memory_resident_kib, median, pool_env,
                      process_tree, pss_kib, role)

SETTLE_SECONDS = 2.0  # let the last container's boot work finish before reading PSS


def _start(ctx, runtime, count, prefix, env=None):
    """COUNT idle containers of RUNTIME; their ids and host pids."""
    bundle = ctx.bundle("idle", *IDLE)
    started = []
    for _ in range(count):
        cid = ctx.new_id(prefix)
        pid = runtime.start_idle(bundle, cid, env=env)
        if pid is None:
            raise RuntimeError(f"{runtime.name}: idle container {cid} did not start")
        started.append((cid, pid))
    return started


def _pss_by_role(pids):
    """Summed PSS (KiB) per role over every process of every container."""
    totals = {}
    for pid in pids:
        for p in process_tree(pid):
            kind = role(p)
            totals[kind] = totals.get(kind, 0) + pss_kib(p)
    return totals


def _guest_meminfo_kib(ctx, cid):
    """(MemTotal, MemTotal - MemFree) from the guest's /proc/meminfo (the
    container's /proc is the VM's: no lxcfs in the guest). MemTotal is the
    guest RAM less what the kernel keeps (its image, reserved memory)."""
    r = ctx.ours.call("exec", cid, "cat", "/proc/meminfo", stdout=subprocess.PIPE,
                      stderr=DEVNULL, text=True)
    fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", r.stdout, re.M))
    if "MemTotal" not in fields or "MemFree" not in fields:
        return None
    return int(fields["MemTotal"]), int(fields["MemTotal"]) - int(fields["MemFree"])


def _measure(ctx, count):
    ours = _start(ctx, ctx.ours, count, f"mem{count}")
    theirs = _start(ctx, ctx.runc, count, f"mem{count}") if ctx.runc else []
    time.sleep(SETTLE_SECONDS)
    mine = _pss_by_role([pid for _, pid in ours])
    runc_total = sum(_pss_by_role([pid for _, pid in theirs]).values()) / 1024 / count \
        if theirs else float("nan")
    per = {k: v / 1024 / count for k, v in mine.items()}
    total = sum(per.values())
    label = f"{count} idle container{'s' if count > 1 else ''}"
    ctx.row(f"memory: host PSS per container, {label} (monitor+VMM+virtiofsd)", total,
            "runc (container processes)", runc_total, "MiB")
    vmm, virtiofsd = per.pop("vmm", 0.0), per.pop("virtiofsd", 0.0)
    ctx.row(f"memory: of which the VMM, {label}", vmm, unit="MiB")
    ctx.row(f"memory: of which virtiofsd, {label}", virtiofsd, unit="MiB")
    ctx.row(f"memory: of which the monitor, {label}", sum(per.values()), unit="MiB")
    resident = [guest_memory_resident_kib(p) for pid in (p for _, p in ours)
                for p in process_tree(pid) if role(p) == "vmm"]
    resident = [r for r in resident if r is not None]
    if resident:
        ctx.row(f"memory: guest RAM resident on the host (VMM's memfd RSS), {label}",
                median(resident) / 1024, unit="MiB")
    meminfo = _guest_meminfo_kib(ctx, ours[0][0])
    if meminfo is not None:
        total_kib, used = meminfo
        ctx.row(f"memory: guest MemTotal, {label}", total_kib / 1024, unit="MiB")
        ctx.row(f"memory: guest RAM in use, guest's MemTotal-MemFree, {label}", used / 1024,
                unit="MiB")
    for runtime, started in ((ctx.ours, ours), (ctx.runc, theirs)):
        for cid, _ in started:
            runtime.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    return total


def _claimed_standby_pids(ctx, env):
    """Pids of the pool's claimed standbys, from `pool status` (ch-runc-pool(8):
    `standby NAME STATE pid PID SHAPE`)."""
    r = subprocess.run([ctx.ours.binary, "pool", "status"], env=env, stdout=subprocess.PIPE,
                       stderr=DEVNULL, text=True, check=True)
    return [int(m) for m in re.findall(r"^standby \S+ claimed pid (\d+) ", r.stdout, re.M)]


def _measure_warm(ctx, count, cold_total):
    """COUNT idle containers that each took a standby of a pool of COUNT:
    host PSS per container of their monitors and of what their standbys
    left running (the standby's process, VMM and virtiofsd), against cold
    ones measured in the same run."""
    env = pool_env(ctx, count)
    pool = [ctx.ours.binary, "pool"]
    try:
        subprocess.run(pool + ["fill", "--wait"], env=env, stdout=DEVNULL, check=True)
        warm = _start(ctx, ctx.ours, count, f"memwarm{count}", env=env)
        # Unclaimed standbys (the refills) are not any container's cost.
        subprocess.run(pool + ["drain"], env=env, stdout=DEVNULL, stderr=DEVNULL)
        time.sleep(SETTLE_SECONDS)
        claimed = sum(1 for cid, _ in warm if claimed_standby(ctx, cid))
        pids = set()
        for standby in _claimed_standby_pids(ctx, env):
            pids.update(process_tree(standby))  # the standby, its VMM and virtiofsd
        for _, pid in warm:
            pids.update(process_tree(pid))
        total = sum(pss_kib(p) for p in pids) / 1024 / count
        label = f"{count} idle container{'s' if count > 1 else ''}"
        ctx.row(f"memory: host PSS per container, {label}, warm ({claimed} of {count} took "
                "a standby)", total, "cold", cold_total, "MiB")
        for cid, _ in warm:
            ctx.ours.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    finally:
        subprocess.run(pool + ["drain"], env=env, stdout=DEVNULL, stderr=DEVNULL)


def memory(ctx):
    cold = {count: _measure(ctx, count) for count in sorted({1, ctx.args.memory_count})}
    count = ctx.args.memory_count
    _measure_warm(ctx, count, cold[count])


def density(ctx):
    """Idle containers started one after another and left running, until one
    fails to start or an earlier one stops running, up to --density; against
    runc starting the same number."""
    bound = ctx.args.density
    bundle = ctx.bundle("idle", *IDLE)
    started, failure = [], ""
    begin = time.monotonic()
    for _ in range(bound):
        cid = ctx.new_id("dense")
        if ctx.ours.start_idle(bundle, cid) is None:
            failure = f"container {len(started) + 1} failed to start"
            break
        started.append(cid)
    elapsed = time.monotonic() - begin
    running = [cid for cid in started
               if (ctx.ours.state(cid) or {}).get("status") == "running"]
    if len(running) < len(started) and not failure:
        failure = f"{len(started) - len(running)} stopped after starting"
    begin = time.monotonic()
    for cid in started:
        ctx.ours.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    teardown = time.monotonic() - begin
    runc_elapsed = float("nan")
    if ctx.runc and running:
        begin = time.monotonic()
        theirs = _start(ctx, ctx.runc, len(running), "dense")
        runc_elapsed = time.monotonic() - begin
        for cid, _ in theirs:
            ctx.runc.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    note = failure or f"bound {bound} reached"
    ctx.row(f"density: idle containers running at once ({note})", len(running), unit="count")
    ctx.row(f"density: time to start all {len(running)}", elapsed, "runc, same count",
            runc_elapsed)
    ctx.row(f"density: time to delete --force all {len(started)}", teardown)
