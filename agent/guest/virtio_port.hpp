#pragma once
// QEMU's transport: a virtio-serial port found by name.

#include <chrono>
#include <optional>
#include <string>

#include "common/unique_fd.hpp"

namespace chrunc::agent {

// /dev/vportNpM of the port whose /sys/class/virtio-ports/*/name is `name`
// (waits up to `timeout` for the device to appear); nullopt when none.
std::optional<std::string> find_virtio_port(const std::string& name,
                                            std::chrono::milliseconds timeout,
                                            const std::string& sys_dir = "/sys/class/virtio-ports");

}  // namespace chrunc::agent
