#include "common/fd_passing.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace chrunc {

size_t send_with_fds(int sock, std::span<const char> data, std::span<const int> fds,
                     std::string_view what) {
  if (data.empty()) throw Error(std::string(what) + ": nothing to send the descriptors with");
  iovec iov{const_cast<char*>(data.data()), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(what);
  return static_cast<size_t>(n);
}

ReceivedData receive_with_fds(int sock, std::span<char> buffer, size_t max_fds,
                              std::string_view what) {
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  // cmsghdr alignment: CMSG_FIRSTHDR needs the buffer aligned for cmsghdr.
  std::vector<cmsghdr> control((CMSG_SPACE(sizeof(int) * max_fds) + sizeof(cmsghdr) - 1) /
                               sizeof(cmsghdr));
  if (max_fds > 0) {
    msg.msg_control = control.data();
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * max_fds);
  }
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(what);
  ReceivedData out;
  out.bytes = static_cast<size_t>(n);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      out.fds.emplace_back(fd);
    }
  }
  out.fds_truncated = (msg.msg_flags & MSG_CTRUNC) != 0;
  // CMSG_SPACE rounds up, so the kernel may have fitted more than asked for.
  if (out.fds.size() > max_fds) {
    out.fds.resize(max_fds);
    out.fds_truncated = true;
  }
  return out;
}

}  // namespace chrunc
