#pragma once
// What every forked container process does first, and the clone that makes
// the container process a child of the caller (CLONE_PARENT), so that the
// caller's ProcessReaper reaps it while an intermediate joins namespaces.

#include <sys/types.h>

#include <functional>
#include <string>

#include "agent/container/sync_channel.hpp"

namespace chrunc::container {

// The child ends of the process's stdio (-1: /dev/null).
struct ChildStdio {
  int in = -1, out = -1, err = -1;
};

// In a freshly forked child: signal mask and dispositions reset, every fd
// closed except the sync channel (moved above 2) and stdio (dup2'ed to 0-2).
void reset_child_process(SyncChannel& channel, const ChildStdio& stdio);

// clone(CLONE_PARENT | flags) running `body` in the new process (which must
// not return normally: it _exits). Returns the new pid (in our pid namespace).
pid_t clone_sibling(int flags, const std::function<int()>& body);

// In a forked child: runs `body`; an exception is sent as kError and the
// process exits 1.
[[noreturn]] void run_child(SyncChannel& channel, const std::function<void()>& body);

}  // namespace chrunc::container
