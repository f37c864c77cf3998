#pragma once
// Host processes known by pid and start time (field 22 of /proc/<pid>/stat):
// a pid the kernel has since given to another process does not match, so
// nothing here signals a stranger. `delete` uses it to end a monitor or VMM
// that does not answer (state_store.hpp records both identities).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace chrunc::runtime {

struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;  // 0: unknown, never signalled
};

// Whether the pid still names that process, alive (a zombie is gone).
bool same_process_running(const ProcessIdentity& process);

// Sends `signo` through a pidfd opened before the identity is checked (the
// pidfd pins the process, so the check holds for the signal). False when the
// process is gone, the pid names another process now, or the start time is
// unknown.
bool signal_if_same(const ProcessIdentity& process, int signo);

// Waits at most `timeout` for the process to be gone; true when it is.
bool wait_process_gone(const ProcessIdentity& process, std::chrono::milliseconds timeout);

// The host identity of the child of `parent` (a host pid) that its parent
// knows as `child_pid` (its pid in the child's own pid namespace, as fork()
// returned it), read through `proc_dir`: a descriptor of the host's /proc,
// opened before the monitor's namespaces may cover it. nullopt if not found.
std::optional<ProcessIdentity> find_host_child(int proc_dir, pid_t parent, pid_t child_pid);

// Of `pids` (pids of the caller's namespace, e.g. a cgroup's), those of the
// live children of `parent` whose pid in their own pid namespace (the last
// of /proc/<pid>/status NSpid) is one of `inner_pids`, in the order of `pids`:
// the monitor's stand-ins, which the monitor knows by the pids fork()
// returned in its namespace.
std::vector<pid_t> children_known_as(pid_t parent, const std::vector<pid_t>& pids,
                                     const std::set<pid_t>& inner_pids);

}  // namespace chrunc::runtime
