#pragma once
// One process's row for ListProcesses, read from /proc/<pid>.

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

#include "agent/agent.pb.h"

namespace chrunc::agent {

// How much of a process's command line is read (the host bounds it further).
constexpr size_t kMaxCmdlineBytes = 8192;
// How big one ListProcessesResponse may grow: under gRPC's 4 MiB default
// message limit, so that a container with very many processes still gets a
// list (the processes past it are left out).
constexpr size_t kMaxProcessListBytes = 3 << 20;

// nullopt when the process is gone. The text fields are /proc's bytes (not
// necessarily UTF-8), the command line cut to kMaxCmdlineBytes.
std::optional<v1::ProcessInfo> read_process_info(pid_t pid, const std::string& proc = "/proc");

}  // namespace chrunc::agent
