#pragma once
// process.terminal: a pty allocated inside the container (its /dev/ptmx,
// i.e. the container's devpts instance), the master handed to the caller,
// the slave made the controlling terminal and stdio of the process.

#include <optional>

#include "agent/container/sync_channel.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

// Runs in the container process after pivot_root and setsid().
void setup_terminal(SyncChannel& channel, const std::optional<oci::ConsoleSize>& size);

}  // namespace chrunc::container
