// Data with file descriptors attached (SCM_RIGHTS) over a unix socket: the one
// implementation behind the monitor's control socket, the console socket and
// the container library's sync channel.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc {

// Sends `data` (at least one byte) with `fds` attached in one sendmsg(2),
// MSG_NOSIGNAL, retrying on EINTR. Returns the bytes sent, which for a stream
// socket may be fewer than data.size(): the caller writes the rest. Errors are
// thrown as "<what>: <strerror>".
size_t send_with_fds(int sock, std::span<const char> data, std::span<const int> fds,
                     std::string_view what);

struct ReceivedData {
  size_t bytes = 0;            // 0 at end of file
  std::vector<UniqueFd> fds;   // close-on-exec, in the order they were sent
  bool fds_truncated = false;  // the sender attached more than max_fds
};

// Receives up to buffer.size() bytes in one recvmsg(2) and every descriptor
// attached (up to max_fds), retrying on EINTR.
ReceivedData receive_with_fds(int sock, std::span<char> buffer, size_t max_fds,
                              std::string_view what);

}  // namespace chrunc
