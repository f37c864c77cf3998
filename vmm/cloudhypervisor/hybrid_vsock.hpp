#pragma once
// cloud-hypervisor's hybrid vsock: a host unix socket on which a
// "CONNECT <port>\n" is answered "OK <host port>\n" once the guest listens.

#include <chrono>
#include <filesystem>
#include <functional>

#include "common/unique_fd.hpp"

namespace chrunc::vmm::ch {

// One attempt: connect, send CONNECT, read the reply line. Returns the
// connected socket, or an invalid fd when the socket is absent, refused, or
// the guest's port does not answer OK (not listening yet). `reply_timeout`
// bounds the wait for the reply line.
UniqueFd try_connect_hybrid_vsock(const std::filesystem::path& socket, unsigned port,
                                  std::chrono::milliseconds reply_timeout,
                                  std::string* last_reply = nullptr);

// Retries until `timeout`; throws chrunc::Error naming the cause, fast when
// `alive()` says the VMM died.
UniqueFd connect_hybrid_vsock(const std::filesystem::path& socket, unsigned port,
                              std::chrono::milliseconds timeout,
                              const std::function<bool()>& alive = nullptr);

}  // namespace chrunc::vmm::ch
