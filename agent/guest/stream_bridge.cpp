#include "agent/guest/stream_bridge.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace chrunc::agent {

namespace {
constexpr size_t kBuffer = size_t{64} * 1024;
constexpr size_t kPipeBytes = size_t{1024} * 1024;

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
// Moves everything from `from` to `to` through a pipe with splice(2) until
// end-of-file or an error. Returns false only when the first splice is not
// supported for these fds (nothing was moved: the caller copies instead).
bool splice_all(int from, int to) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  UniqueFd pipe_read(fds[0]), pipe_write(fds[1]);
  ::fcntl(pipe_write.get(), F_SETPIPE_SZ, static_cast<int>(kPipeBytes));
  bool first = true;
  while (true) {
    ssize_t in = ::splice(from, nullptr, pipe_write.get(), nullptr, kPipeBytes, SPLICE_F_MOVE);
    if (in < 0 && errno == EINTR) continue;
    if (in < 0 && first && (errno == EINVAL || errno == ENOSYS)) return false;
    if (in <= 0) return true;
    first = false;
    while (in > 0) {
      ssize_t out =
          ::splice(pipe_read.get(), nullptr, to, nullptr, static_cast<size_t>(in), SPLICE_F_MOVE);
      if (out < 0 && errno == EINTR) continue;
      if (out <= 0) return true;
      in -= out;
    }
  }
}

}  // namespace

void run_bridge(int host, UniqueFd grpc_side, const std::string& initial) {
  int local = grpc_side.get();
  if (!write_all(local, initial.data(), initial.size())) return;
  // local -> host in its own thread; it ends when gRPC closes or we shut down.
  // This is the direction container output takes: spliced through a pipe
  // (no copy through user space; under TCG every copy is guest CPU time),
  // with plain reads and writes where the kernel cannot splice these fds.
  std::thread to_host([host, local] {
    if (splice_all(local, host)) return;
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
