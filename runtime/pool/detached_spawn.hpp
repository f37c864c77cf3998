#pragma once
// Starting a process that belongs to nobody: double fork, its own session,
// /dev/null as stdio, no other inherited fd, cwd /, umask 077, only the
// environment given. Its parent exits at once, so it is reparented (to init
// or the caller's subreaper) and never a child the caller must reap.

#include <sys/types.h>

#include <string>
#include <vector>

namespace chrunc::runtime::pool {

// Returns the new process's pid (in the caller's pid namespace). Throws
// chrunc::Error when it could not be forked; an exec failure ends it with 127.
pid_t spawn_detached(const std::string& program, std::vector<std::string> args,
                     std::vector<std::string> env);

// The environment a detached helper gets: PATH, and CHRUNC_CONFIG when set.
std::vector<std::string> helper_environment();

}  // namespace chrunc::runtime::pool
