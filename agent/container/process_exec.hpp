#pragma once
// The last part of every container process (init and exec): process
// attributes and security in runc's order, the PATH lookup of args[0],
// "ready" to the parent, the wait for "start", then execve.

#include <functional>
#include <string>
#include <vector>

#include "agent/container/sync_channel.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

// `exec: "foo": executable file not found in $PATH` as runc words it; the
// PATH is taken from `env`.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

// Applies rlimits, oomScoreAdj, I/O priority, scheduler, personality,
// seccomp, user, cwd, capabilities, noNewPrivileges; sends kReady; waits for
// kStart; runs `before_exec` (startContainer hooks); execve. Never returns
// normally (throws on failure).
[[noreturn]] void finish_and_exec(const oci::Process& process,
                                  const std::optional<oci::Personality>& personality,
                                  const std::optional<oci::Seccomp>& seccomp, SyncChannel& channel,
                                  const std::function<void()>& before_exec);

}  // namespace chrunc::container
