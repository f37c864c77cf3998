#include "vmm/cloudhypervisor/hybrid_vsock.hpp"

#include <unistd.h>

#include <thread>

#include "common/error.hpp"
#include "vmm/unix_socket.hpp"

namespace chrunc::vmm::ch {

UniqueFd try_connect_hybrid_vsock(const std::filesystem::path& socket, unsigned port,
                                  std::chrono::milliseconds reply_timeout,
                                  std::string* last_reply) {
  UniqueFd fd = try_connect_unix(socket);
  if (!fd) return fd;
  try {
    send_all(fd.get(), "CONNECT " + std::to_string(port) + "\n", "hybrid vsock CONNECT");
  } catch (const Error&) {
    return UniqueFd();
  }
  // Byte by byte: whatever follows the reply line belongs to the agent.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + reply_timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(fd.get(), left)) break;
    char c;
    ssize_t n = ::read(fd.get(), &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') {
      if (last_reply) *last_reply = line;
      if (line.rfind("OK ", 0) == 0) return fd;
      return UniqueFd();
    }
    line += c;
    if (line.size() > 64) break;
  }
  if (last_reply) *last_reply = line;
  return UniqueFd();
}

UniqueFd connect_hybrid_vsock(const std::filesystem::path& socket, unsigned port,
                              std::chrono::milliseconds timeout,
                              const std::function<bool()>& alive) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string reply;
  for (;;) {
    if (alive && !alive())
      throw Error("hybrid vsock: the VMM exited before the agent answered on port " +
                  std::to_string(port));
    UniqueFd fd = try_connect_hybrid_vsock(socket, port, std::chrono::milliseconds(1000), &reply);
    if (fd) return fd;
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("hybrid vsock: no agent on port " + std::to_string(port) + " of " +
                  socket.string() + " in time" +
                  (reply.empty() ? "" : " (last reply: " + reply + ")"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace chrunc::vmm::ch
