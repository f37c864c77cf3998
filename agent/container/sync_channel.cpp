#include "agent/container/sync_channel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/error.hpp"

namespace chrunc::container {
namespace {
constexpr size_t kMaxMessage = 256 * 1024;
}

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
  int fds[2];
  check_syscall(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds),
                "socketpair for container sync");
  return {SyncChannel(UniqueFd(fds[0])), SyncChannel(UniqueFd(fds[1]))};
}

void SyncChannel::send(SyncType type, const std::string& payload, int fd) {
  if (payload.size() + sizeof(uint32_t) > kMaxMessage) throw Error("sync message too large");
  std::vector<char> buffer(sizeof(uint32_t) + payload.size());
  auto raw = static_cast<uint32_t>(type);
  std::memcpy(buffer.data(), &raw, sizeof raw);
  std::memcpy(buffer.data() + sizeof raw, payload.data(), payload.size());
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  }
  ssize_t n;
  do {
    n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("send to container sync socket");
}

bool SyncChannel::receive(SyncMessage& message) {
  std::vector<char> buffer(kMaxMessage);
  iovec iov{buffer.data(), buffer.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return false;
    throw_errno("receive from container sync socket");
  }
  if (n == 0) return false;
  if (static_cast<size_t>(n) < sizeof(uint32_t))
    throw Error("short message on container sync socket");
  uint32_t raw;
  std::memcpy(&raw, buffer.data(), sizeof raw);
  message.type = static_cast<SyncType>(raw);
  message.payload.assign(buffer.data() + sizeof raw, static_cast<size_t>(n) - sizeof raw);
  message.fd.reset();
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
      message.fd.reset(fd);
    }
  }
  return true;
}

SyncMessage SyncChannel::expect(SyncType type, const std::string& step) {
  SyncMessage message;
  if (!receive(message)) throw Error(step + ": container process exited unexpectedly");
  if (message.type == SyncType::kError) throw Error(message.payload);
  if (message.type != type) throw Error(step + ": unexpected message on sync socket");
  return message;
}

}  // namespace chrunc::container
