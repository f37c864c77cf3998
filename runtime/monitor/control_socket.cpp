#include "runtime/monitor/control_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/error.hpp"
#include "common/fd_passing.hpp"

namespace chrunc::runtime {
namespace {

using Clock = std::chrono::steady_clock;

// No deadline when it is the epoch (the default of a time_point).
using Deadline = Clock::time_point;

// Waits until `sock` is readable or the deadline passes (then throws ETIMEDOUT).
void wait_readable(int sock, Deadline deadline, std::chrono::milliseconds timeout) {
  if (deadline == Deadline{}) return;
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    pollfd p{sock, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("monitor socket poll");
    throw Error("monitor socket: no message within " +
                    std::to_string(std::chrono::ceil<std::chrono::seconds>(timeout).count()) + " s",
                ETIMEDOUT);
  }
}

sockaddr_un unix_address(const std::filesystem::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& s = path.native();
  if (s.size() >= sizeof addr.sun_path) throw Error("socket path too long: " + s);
  std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
  return addr;
}

void write_all(int sock, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(sock, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("monitor socket send");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Reads exactly `size` bytes; false on EOF before the first byte.
bool read_all(int sock, char* data, size_t size, bool eof_ok, Deadline deadline,
              std::chrono::milliseconds timeout) {
  size_t done = 0;
  while (done < size) {
    wait_readable(sock, deadline, timeout);
    ssize_t n = ::recv(sock, data + done, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("monitor socket receive");
    }
    if (n == 0) {
      if (done == 0 && eof_ok) return false;
      throw Error("monitor socket: connection closed in the middle of a message");
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void send_control_message(int sock, std::string_view json, const std::vector<int>& fds) {
  if (fds.size() > kMaxControlFds) throw Error("monitor socket: too many file descriptors");
  char header[4];
  uint32_t len = static_cast<uint32_t>(json.size());
  for (int i = 0; i < 4; ++i) header[i] = static_cast<char>(len >> (8 * i));
  // The descriptors ride on the header's first byte.
  send_with_fds(sock, std::span<const char>(header, 1), fds, "monitor socket send");
  write_all(sock, header + 1, 3);
  write_all(sock, json.data(), json.size());
}

std::optional<ControlMessage> receive_control_message(int sock, std::chrono::milliseconds timeout) {
  const Deadline deadline = timeout.count() > 0 ? Clock::now() + timeout : Deadline{};
  ControlMessage out;
  char header[4];
  wait_readable(sock, deadline, timeout);
  ReceivedData first =
      receive_with_fds(sock, std::span<char>(header, 1), kMaxControlFds, "monitor socket receive");
  out.fds = std::move(first.fds);
  if (first.bytes == 0) return std::nullopt;
  if (first.fds_truncated) throw Error("monitor socket: file descriptors truncated");
  read_all(sock, header + 1, 3, false, deadline, timeout);
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i)
    len |= static_cast<uint32_t>(static_cast<unsigned char>(header[i])) << (8 * i);
  if (len > kMaxControlMessage) throw Error("monitor socket: message too large");
  out.json.resize(len);
  if (len > 0) read_all(sock, out.json.data(), len, false, deadline, timeout);
  return out;
}

UniqueFd listen_unix_socket(const std::filesystem::path& path) {
  sockaddr_un addr = unix_address(path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  ::unlink(path.c_str());
  mode_t old = ::umask(0077);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0) throw_errno("bind " + path.string());
  if (::chmod(path.c_str(), 0600) != 0) throw_errno("chmod " + path.string());
  if (::listen(fd.get(), 64) != 0) throw_errno("listen " + path.string());
  return fd;
}

UniqueFd connect_unix_socket(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr = unix_address(path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  if (timeout.count() > 0) {
    // Bounds a blocking connect() on a unix socket (a full backlog) and sends.
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    check_syscall(::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv),
                  "setsockopt SO_SNDTIMEO");
  }
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) throw_errno("connect " + path.string());
  return fd;
}

bool peer_may_control(int sock) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
    return false;
  return cred.uid == 0 || cred.uid == ::geteuid();
}

}  // namespace chrunc::runtime
