"""Hook cases: order and timing of all six kinds, the state on their stdin,
args and env, failure and timeout semantics."""

import json
import os
import time

from registry import case, check_nothing_left

# --- hooks ------------------------------------------------------------------

HOOK_KINDS = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart",
              "poststop"]


def recording_hook(kind, directory):
    """A hook that saves its stdin (the state) and appends its kind to a log."""
    return {"path": "/bin/sh",
            "args": ["sh", "-c", f"cat > {directory}/hook-{kind}.json; "
                                 f"echo {kind} >> {directory}/hooks.log"]}


@case("hooks")
def hooks(ctx):
    config = ctx.config(["/bin/sh", "-c", "echo process >> /hooks.log"])
    config["annotations"] = {"org.example.conformance": "hooks"}
    b = ctx.bundle(config)
    config["hooks"] = {kind: [recording_hook(kind, "" if kind == "startContainer" else b.path)]
                       for kind in HOOK_KINDS}
    b.write_config()
    log = lambda: b.read("hooks.log").split()  # noqa: E731
    inner_log = lambda: b.read("rootfs/hooks.log").split()  # noqa: E731
    cid = ctx.create_ok(b)
    ctx.check(log() == ["prestart", "createRuntime", "createContainer"],
              f"hooks run by create: {log()}, expected prestart createRuntime createContainer")
    ctx.check(inner_log() == [], f"ran before start: {inner_log()}")
    ctx.start_ok(cid)
    ctx.check(log()[3:] == ["poststart"], f"hooks run by start (host): {log()[3:]}, "
              "expected poststart before start returned")
    ctx.wait_stopped(cid)
    ctx.check(inner_log() == ["startContainer", "process"],
              f"in the container: {inner_log()}, expected startContainer then the process")
    ctx.check("poststop" not in log(), "poststop ran before delete")
    ctx.delete_ok(cid)
    ctx.check(log()[-1:] == ["poststop"], f"after delete: {log()}, expected poststop last")
    for kind in HOOK_KINDS:
        name = ("rootfs/" if kind == "startContainer" else "") + f"hook-{kind}.json"
        text = b.read(name)
        try:
            state = json.loads(text)
        except ValueError:
            ctx.fail(f"{kind} hook got no state JSON on stdin: {text[:100]!r}")
            continue
        ctx.check(state.get("id") == cid, f"{kind}: state.id {state.get('id')!r}")
        ctx.check(bool(state.get("ociVersion")), f"{kind}: state has no ociVersion")
        ctx.check(state.get("bundle") == b.path, f"{kind}: state.bundle {state.get('bundle')!r}")
        ctx.check(state.get("status") in ("creating", "created", "running", "stopped"),
                  f"{kind}: state.status {state.get('status')!r}")
        if kind != "poststop":
            ctx.check(isinstance(state.get("pid"), int) and state["pid"] > 0,
                      f"{kind}: state.pid {state.get('pid')!r}")
        ctx.check(state.get("annotations") == config["annotations"],
                  f"{kind}: state.annotations {state.get('annotations')!r}")


@case("hooks-args-env")
def hooks_args_env(ctx):
    config = ctx.config(["/bin/true"])
    b = ctx.bundle(config)
    out = b.file("hook-out")
    config["hooks"] = {"createRuntime": [{
        "path": "/bin/sh", "args": ["sh", "-c", f'echo "$HOOK_VAR $0 $1" > {out}', "zero", "one"],
        "env": ["HOOK_VAR=value"]}]}
    b.write_config()
    cid = ctx.create_ok(b)
    ctx.check(b.read("hook-out").strip() == "value zero one",
              f"hook saw {b.read('hook-out').strip()!r}, expected 'value zero one'")
    ctx.delete_ok(cid, force=True)


def failing_create_hook(kind):
    def run(ctx):
        config = ctx.config(["/bin/sh", "-c", "echo ran > /process-ran"])
        b = ctx.bundle(config)
        # A recording hook first proves that create got as far as the hooks.
        config["hooks"] = {kind: [recording_hook(kind, b.path),
                                  {"path": "/bin/false", "args": ["false"]}]}
        b.write_config()
        cid = ctx.new_id()
        rc, _ = ctx.runtime.create(b, cid)
        ctx.check(rc != 0, f"create exited 0 although a {kind} hook failed")
        ctx.check(b.read("hooks.log").split() == [kind],
                  f"the {kind} hook before the failing one did not run "
                  f"(log: {b.read('hooks.log').split()})")
        check_nothing_left(ctx, cid)
        if rc == 0:
            ctx.runtime.run("start", cid)
        time.sleep(0.5)
        ctx.check(not os.path.exists(os.path.join(b.rootfs, "process-ran")),
                  "the container's process ran")
    return run


for _kind in ("prestart", "createRuntime", "createContainer"):
    case(f"hooks-{_kind}-fails")(failing_create_hook(_kind))


@case("hooks-poststart-fails")
def hooks_poststart_fails(ctx):
    # The spec: a failing poststart hook is logged as a warning; the lifecycle goes on.
    config = ctx.config(["/bin/sh", "-c", "sleep 1; echo ran > /process-ran"])
    config["hooks"] = {"poststart": [{"path": "/bin/false", "args": ["false"]}]}
    b = ctx.bundle(config)
    cid = ctx.create_ok(b)
    rc, _, err = ctx.runtime.run("start", cid)
    ctx.check(rc == 0, f"start exited {rc} because a poststart hook failed: {err.strip()}")
    ctx.runtime.wait_status(cid, "stopped")
    ctx.check(os.path.exists(os.path.join(b.rootfs, "process-ran")),
              "the container's process did not run to its end")
    ctx.delete_ok(cid, force=True)


@case("hooks-poststop-fails")
def hooks_poststop_fails(ctx):
    config = ctx.config(["/bin/true"])
    b = ctx.bundle(config)
    config["hooks"] = {"poststop": [{"path": "/bin/false", "args": ["false"]},
                                    recording_hook("poststop", b.path)]}
    b.write_config()
    cid = ctx.create_ok(b)
    ctx.start_ok(cid)
    ctx.wait_stopped(cid)
    rc, _, err = ctx.runtime.run("delete", cid)
    ctx.check(rc == 0, f"delete exited {rc} because a poststop hook failed: {err.strip()}")
    ctx.check(ctx.runtime.state(cid) is None, "state still knows the container")
    ctx.check(b.read("hooks.log").split() == ["poststop"],
              "the poststop hook after the failing one did not run")


@case("hooks-timeout")
def hooks_timeout(ctx):
    config = ctx.config(["/bin/true"])
    b = ctx.bundle(config)
    config["hooks"] = {"createRuntime": [recording_hook("createRuntime", b.path),
                                         {"path": "/bin/sleep", "args": ["sleep", "30"],
                                          "timeout": 1}]}
    b.write_config()
    cid = ctx.new_id()
    start = time.monotonic()
    rc, _ = ctx.runtime.create(b, cid)
    took = time.monotonic() - start
    ctx.check(rc != 0, "create exited 0 although a hook timed out")
    ctx.check(took < 25, f"create took {took:.1f}s: the hook's 1 s timeout was not applied")
    ctx.check(b.read("hooks.log").split() == ["createRuntime"],
              "create did not get as far as the hooks")
    check_nothing_left(ctx, cid)
