#include "agent/guest/stream_bridge.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace chrunc::agent {

namespace {
constexpr size_t kBuffer = 64 * 1024;

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

void run_bridge(int host, UniqueFd grpc_side, const std::string& initial) {
  int local = grpc_side.get();
  if (!write_all(local, initial.data(), initial.size())) return;
  // local -> host in its own thread; it ends when gRPC closes or we shut down.
  std::thread to_host([host, local] {
    std::string buffer(kBuffer, '\0');
    while (true) {
      ssize_t n = ::read(local, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || !write_all(host, buffer.data(), static_cast<size_t>(n))) break;
    }
  });
  std::string buffer(kBuffer, '\0');
  while (true) {
    ssize_t n = ::read(host, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !write_all(local, buffer.data(), static_cast<size_t>(n))) break;
  }
  ::shutdown(local, SHUT_RDWR);
  to_host.join();
}

}  // namespace chrunc::agent
