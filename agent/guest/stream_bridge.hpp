#pragma once
// Copies bytes both ways between the host's byte stream (a virtio-serial port
// or an accepted vsock socket) and one end of a socketpair whose other end
// gRPC serves (gRPC needs a socket, and the bridge sees the host go away).

#include <string>

#include "common/unique_fd.hpp"

namespace chrunc::agent {

// Runs until the host side reaches end-of-file or fails (the host is gone),
// then shuts the socketpair end down so gRPC drops the connection. `host` is
// borrowed (blocking mode); `initial` bytes were already read from it.
void run_bridge(int host, UniqueFd grpc_side, const std::string& initial);

}  // namespace chrunc::agent
