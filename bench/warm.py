"""Warm starts: `ch-runc run` of busybox `true` taking a standby of the warm
pool (docs/warm-pool.md) against a cold boot, each against runc."""
import subprocess

from benchlib import DEVNULL, claimed_standby, median, pool_env


def warm(ctx):
    bundle = ctx.bundle("true", "true")
    warm_env = pool_env(ctx, 1)
    pool = [ctx.ours.binary, "pool"]
    cold, hot, runc, missed = [], [], [], 0
    try:
        for _ in range(ctx.args.runs):
            # Untimed: a ready standby and none booting (a refill would take
            # CPU from the runs measured).
            subprocess.run(pool + ["fill", "--wait"], env=warm_env, stdout=DEVNULL, check=True)
            t, r = ctx.ours.timed("run", "--bundle", bundle, ctx.new_id("cold"), stdout=DEVNULL,
                                  stderr=DEVNULL)
            if r.returncode == 0:
                cold.append(t)
            cid = ctx.new_id("warm")
            t, r = ctx.ours.timed("run", "--keep", "--bundle", bundle, cid, stdout=DEVNULL,
                                  stderr=DEVNULL, env=warm_env)
            took = r.returncode == 0 and claimed_standby(ctx, cid)
            ctx.ours.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
            if took:
                hot.append(t)
            else:
                missed += 1
            if ctx.runc:
                t, r = ctx.runc.timed("run", "--bundle", bundle, ctx.new_id("warm"),
                                      stdout=DEVNULL)
                if r.returncode == 0:
                    runc.append(t)
    finally:
        subprocess.run(pool + ["drain"], env=warm_env, stdout=DEVNULL, stderr=DEVNULL)
    ctx.row("run busybox true, cold (no pool)", median(cold), "runc run", median(runc))
    ctx.row("run busybox true, warm (standby claimed)", median(hot), "runc run", median(runc))
    ctx.row("run busybox true, warm", median(hot), "cold", median(cold))
    if missed:
        ctx.row("warm runs that booted cold (left out)", missed, unit="count")
