"""Lifecycle cases: state transitions, the error cases of each command, the
pid file, kill with several signals."""

import json
import os
import time

from registry import (SLEEP, case, check_nothing_left, pid_alive, running_container,
                      wait_for_file)

# Traps TERM and USR1: each writes its name into /signal; TERM also exits.
TRAP = ["/bin/sh", "-c",
        "trap 'echo TERM >> /signal; exit 0' TERM; trap 'echo USR1 >> /signal' USR1; "
        "echo ready > /ready; while true; do sleep 0.2; done"]


# --- lifecycle -------------------------------------------------------------

@case("lifecycle")
def lifecycle(ctx):
    def while_created(b, cid, state):
        ctx.check(state.get("id") == cid, f"state.id is {state.get('id')!r}")
        ctx.check(bool(state.get("ociVersion")), "state.ociVersion is missing")
        ctx.check(isinstance(state.get("pid"), int) and state["pid"] > 0,
                  f"state.pid is {state.get('pid')!r}")
        ctx.check(state.get("bundle") == b.path, f"state.bundle is {state.get('bundle')!r}, "
                  f"not {b.path!r}")
    ctx.run_checker(ctx.config(), while_created=while_created)


@case("state-transitions")
def state_transitions(ctx):
    b = ctx.bundle(ctx.config(SLEEP))
    cid = ctx.create_ok(b)
    ctx.check(ctx.runtime.status(cid) == "created", "not 'created' after create")
    ctx.start_ok(cid)
    ctx.check(ctx.runtime.wait_status(cid, "running", timeout=10) == "running",
              "not 'running' after start")
    rc, _, err = ctx.runtime.run("kill", cid, "KILL")
    ctx.require(rc == 0, f"kill KILL failed: {err.strip()}")
    ctx.wait_stopped(cid)
    ctx.delete_ok(cid)


@case("create-duplicate-id")
def create_duplicate_id(ctx):
    b1 = ctx.bundle(ctx.config(SLEEP))
    cid = ctx.create_ok(b1)
    b2 = ctx.bundle(ctx.config(SLEEP))
    rc, _ = ctx.runtime.create(b2, cid)
    ctx.check(rc != 0, "a second create with the same id succeeded")
    state = ctx.runtime.state(cid)
    ctx.check(state is not None and state.get("status") == "created",
              "the first container is no longer 'created'")
    ctx.check(state is None or state.get("bundle") == b1.path,
              "the id now refers to the second bundle")
    ctx.delete_ok(cid, force=True)


def missing_id(command):
    def run(ctx):
        if command == "create":
            b = ctx.bundle(ctx.config(SLEEP))
            rc, _, _ = ctx.runtime.run("create", "--bundle", b.path)
        elif command == "kill":
            rc, _, _ = ctx.runtime.run("kill")
        else:
            rc, _, _ = ctx.runtime.run(command)
        ctx.check(rc != 0, f"`{command}` without an id exited 0")
    return run


for _command in ("create", "start", "state", "kill", "delete"):
    case(f"missing-id-{_command}")(missing_id(_command))


def unknown_id(command):
    def run(ctx):
        cid = ctx.new_id()
        args = {"kill": ["kill", cid, "KILL"]}.get(command, [command, cid])
        rc, _, _ = ctx.runtime.run(*args)
        ctx.check(rc != 0, f"`{command}` of an unknown id exited 0")
    return run


for _command in ("state", "kill", "delete", "start"):
    case(f"unknown-id-{_command}")(unknown_id(_command))


@case("start-running-fails")
def start_running_fails(ctx):
    _, cid = running_container(ctx)
    rc, _, _ = ctx.runtime.run("start", cid)
    ctx.check(rc != 0, "start of a running container exited 0")
    ctx.delete_ok(cid, force=True)


@case("start-stopped-fails")
def start_stopped_fails(ctx):
    b = ctx.bundle(ctx.config(["/bin/true"]))
    cid = ctx.create_ok(b)
    ctx.start_ok(cid)
    ctx.wait_stopped(cid)
    rc, _, _ = ctx.runtime.run("start", cid)
    ctx.check(rc != 0, "start of a stopped container exited 0")
    ctx.delete_ok(cid)


@case("delete-running-fails")
def delete_running_fails(ctx):
    _, cid = running_container(ctx)
    pid = ctx.runtime.state(cid)["pid"]
    rc, _, _ = ctx.runtime.run("delete", cid)
    ctx.check(rc != 0, "delete (no --force) of a running container exited 0")
    ctx.check(ctx.runtime.status(cid) == "running", "the container is not running after "
              "a refused delete")
    ctx.delete_ok(cid, force=True)
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    ctx.check(not pid_alive(pid), f"state.pid {pid} still alive after delete --force")


@case("delete-created-fails")
def delete_created_fails(ctx):
    # The spec: delete of a container that is not stopped MUST fail.
    b = ctx.bundle(ctx.config(SLEEP))
    cid = ctx.create_ok(b)
    rc, _, _ = ctx.runtime.run("delete", cid)
    if ctx.check(rc != 0, "delete (no --force) of a created container exited 0"):
        ctx.delete_ok(cid, force=True)
    else:
        # A runtime that deviates here (runc, ch-runc) deleted it: then it
        # must be gone for good, helpers and state directory included.
        check_nothing_left(ctx, cid)


@case("delete-force-created")
def delete_force_created(ctx):
    b = ctx.bundle(ctx.config(SLEEP))
    cid = ctx.create_ok(b)
    pid = ctx.runtime.state(cid)["pid"]
    ctx.delete_ok(cid, force=True)
    # A hang guard, not a speed test: the spec only says the process is gone.
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    ctx.check(not pid_alive(pid), f"state.pid {pid} still alive 10 s after delete --force")


@case("create-missing-bundle")
def create_missing_bundle(ctx):
    cid = ctx.new_id()
    empty = ctx.temp_dir("conf-empty-bundle-")
    for bundle in ("/nonexistent-conformance-bundle", empty):
        rc, _, _ = ctx.runtime.run("create", "--bundle", bundle, cid,
                                   timeout=ctx.runtime.create_timeout)
        ctx.check(rc != 0, f"create with bundle {bundle} (no config.json) exited 0")
        ctx.check(ctx.runtime.state(cid) is None, "state knows a container create refused")


@case("config-update-after-create")
def config_update_after_create(ctx):
    # Changing config.json after create must not affect the container.
    c = ctx.config()

    def while_created(b, cid, state):
        changed = json.loads(json.dumps(b.config))
        changed["process"]["args"] = ["/bin/false"]
        changed["hostname"] = "changed-after-create"
        with open(b.file("config.json"), "w") as f:
            json.dump(changed, f)
    ctx.run_checker(c, while_created=while_created)


@case("process-absent")
def process_absent(ctx):
    # The spec makes `process` required only for start: create must accept a
    # config without it, start must fail (with a message), and the container
    # must still be deletable.
    c = ctx.config()
    del c["process"]
    b = ctx.bundle(c)
    cid = ctx.create_ok(b)
    ctx.check(ctx.runtime.status(cid) == "created", "not 'created' after create")
    rc, _, err = ctx.runtime.run("start", cid)
    ctx.check(rc != 0, "start of a container without process exited 0")
    ctx.check(bool(err.strip()), "start failed without saying why")
    ctx.check("process" in err, f"start's error does not name the missing process: {err.strip()!r}")
    ctx.delete_ok(cid, force=True)
    check_nothing_left(ctx, cid)


@case("kill-stopped-fails")
def kill_stopped_fails(ctx):
    b = ctx.bundle(ctx.config(["/bin/true"]))
    cid = ctx.create_ok(b)
    ctx.start_ok(cid)
    ctx.wait_stopped(cid)
    rc, _, _ = ctx.runtime.run("kill", cid, "TERM")
    ctx.check(rc != 0, "kill of a stopped container exited 0")
    ctx.check(ctx.runtime.status(cid) == "stopped", "kill changed a stopped container")
    ctx.delete_ok(cid)


@case("pid-file")
def pid_file(ctx):
    def while_created(b, cid, state):
        text = b.read("pid", None)
        ctx.require(text is not None, "create wrote no pid file")
        ctx.check(text.isdigit(), f"pid file is {text!r}: not decimal digits without newline")
        ctx.check(text.strip().isdigit() and int(text.strip()) == state.get("pid"),
                  f"pid file {text!r} differs from state.pid {state.get('pid')}")
    ctx.run_checker(ctx.config(), while_created=while_created, pid_file=True)


def kill_case(signal, trapped, expect_stop):
    def run(ctx):
        b, cid = running_container(ctx, TRAP if trapped else SLEEP)
        if trapped:
            ctx.require(wait_for_file(os.path.join(b.rootfs, "ready"), ctx.runtime.wait_timeout),
                        "the trapping shell never became ready")
        rc, _, err = ctx.runtime.run("kill", cid, signal)
        ctx.require(rc == 0, f"kill {signal} failed (exit {rc}): {err.strip()}")
        if expect_stop:
            ctx.wait_stopped(cid)
        else:
            time.sleep(1)
            ctx.check(ctx.runtime.status(cid) == "running", f"not running after {signal}")
        if trapped:
            name = {"15": "TERM", "SIGTERM": "TERM"}.get(signal, signal)
            ctx.check(wait_for_file(os.path.join(b.rootfs, "signal"), 5) and
                      name in b.read("rootfs/signal"),
                      f"the container's trap for {name} did not run")
        if not expect_stop:
            rc, _, _ = ctx.runtime.run("kill", cid, "KILL")
            ctx.check(rc == 0, "kill KILL failed")
            ctx.wait_stopped(cid)
        ctx.delete_ok(cid)
    return run


case("kill-TERM")(kill_case("TERM", True, True))
case("kill-SIGTERM")(kill_case("SIGTERM", True, True))
case("kill-KILL")(kill_case("KILL", False, True))
case("kill-USR1")(kill_case("USR1", True, False))
case("kill-numeric-9")(kill_case("9", False, True))
case("kill-numeric-15")(kill_case("15", True, True))
