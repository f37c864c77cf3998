#pragma once
// The child side of Container::exec: an intermediate joins every namespace
// of the container's init (/proc/<pid>/ns/*) and its root, then clones the
// new process as the caller's child; that process finishes like init
// (process_exec.hpp) without waiting for a start.

#include <sys/types.h>

#include "agent/container/child_setup.hpp"
#include "agent/container/sync_channel.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

struct ExecPlan {
  pid_t init_pid = 0;
  const oci::Process* process = nullptr;
  const oci::Linux* linux_spec = nullptr;  // personality, seccomp
};

// Protocol: receives kGo (cgroup set), sends kPid and exits; the process
// then waits for kGo, may send kPtyMaster, sends kReady, waits for kStart.
[[noreturn]] void run_exec_intermediate(const ExecPlan& plan, SyncChannel& channel,
                                        const ChildStdio& stdio);

}  // namespace chrunc::container
