"""Control-path latency against runc: `--version` (the process start alone),
`state` and `kill ID USR1` (the idle container ignores USR1) of a running
container, interleaved, median."""
from benchlib import DEVNULL, IDLE, median


def control(ctx):
    bundle = ctx.bundle("idle", *IDLE)
    running = []
    for runtime in ctx.runtimes():
        cid = ctx.new_id("ctl")
        if runtime.start_idle(bundle, cid) is None:
            raise RuntimeError(f"{runtime.name}: idle container {cid} did not start")
        running.append((runtime, cid))
    times = {}
    for _ in range(ctx.args.reps):
        # The process start alone: what every engine call pays before any work.
        for runtime in ctx.runtimes():
            t, r = runtime.run_plain("--version", stdout=DEVNULL, stderr=DEVNULL)
            if r.returncode == 0:
                times.setdefault((runtime.name, "--version"), []).append(t)
        for runtime, cid in running:
            for command in (["state", cid], ["kill", cid, "USR1"]):
                t, r = runtime.timed(*command, stdout=DEVNULL, stderr=DEVNULL)
                if r.returncode == 0:
                    times.setdefault((runtime.name, command[0]), []).append(t)
    for runtime, cid in running:
        if (runtime.state(cid) or {}).get("status") != "running":
            raise RuntimeError(f"{runtime.name}: {cid} stopped during the control-path figures")
        runtime.call("delete", "--force", cid, stdout=DEVNULL, stderr=DEVNULL)
    for command, label in (("--version", "--version (process start)"),
                           ("state", "state of a running container"),
                           ("kill", "kill USR1 of a running container")):
        ctx.row(f"control: {label}", median(times.get(("ch-runc", command), [])), "runc",
                median(times.get(("runc", command), [])))
