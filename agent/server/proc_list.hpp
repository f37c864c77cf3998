#pragma once
// One process's row for ListProcesses, read from /proc/<pid>.

#include <sys/types.h>

#include <optional>
#include <string>

#include "agent/agent.pb.h"

namespace chrunc::agent {

// nullopt when the process is gone.
std::optional<v1::ProcessInfo> read_process_info(pid_t pid, const std::string& proc = "/proc");

}  // namespace chrunc::agent
