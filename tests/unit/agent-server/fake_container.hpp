#pragma once
// A stand-in for the container library: the "container" is a plain child
// process running process.args with pipes (or a pty when process.terminal),
// held before execve until start(). Enough to test the agent's bookkeeping.

#include <memory>

#include "agent/container/container.hpp"

namespace chrunc::agent::test {

std::unique_ptr<container::Container> create_fake_container(container::CreateOptions options,
                                                            container::ProcessReaper& reaper);

}  // namespace chrunc::agent::test
