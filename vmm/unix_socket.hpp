#pragma once
// Small helpers for unix stream sockets (the VMMs' control and agent sockets).

#include <chrono>
#include <filesystem>
#include <string>

#include "common/unique_fd.hpp"

namespace chrunc::vmm {

// One connect() attempt; returns an invalid fd when the socket is absent or
// refuses (ENOENT, ECONNREFUSED), throws on other errors.
UniqueFd try_connect_unix(const std::filesystem::path& path);

// Writes all of `data` (MSG_NOSIGNAL). Throws naming `what`.
void send_all(int fd, const std::string& data, const std::string& what);

// Waits until fd is readable; false on timeout.
bool wait_readable(int fd, std::chrono::milliseconds timeout);

}  // namespace chrunc::vmm
