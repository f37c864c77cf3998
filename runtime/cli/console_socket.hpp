#pragma once
// --console-socket: a host pty whose master is sent to the caller's unix
// socket with SCM_RIGHTS (the payload is the slave's name, as runc sends),
// and whose slave stands for the container's terminal on the host. The guest
// has its own pty; the slave is set raw so only the guest's line discipline acts.

#include <filesystem>
#include <optional>
#include <string>

#include "common/unique_fd.hpp"

namespace chrunc::runtime {

struct HostPty {
  UniqueFd master;
  UniqueFd slave;
  std::string slave_name;  // /dev/pts/N
};

// Opens a pty pair (both O_CLOEXEC), slave in raw mode, with `rows`x`cols` when given.
HostPty open_host_pty(unsigned rows = 0, unsigned cols = 0);

// Connects to `socket_path` and sends `fd` with SCM_RIGHTS and `name` as payload.
void send_fd_to_console_socket(const std::filesystem::path& socket_path, int fd,
                               const std::string& name);

// Receives one fd (and its payload) from a connected unix socket; for tests and tools.
UniqueFd receive_fd(int sock, std::string* payload = nullptr);

}  // namespace chrunc::runtime
