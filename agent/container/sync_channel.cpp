#include "agent/container/sync_channel.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "common/fd_passing.hpp"

namespace chrunc::container {
namespace {
constexpr size_t kMaxMessage = size_t{256} * 1024;
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
  std::span<const int> fds;
  if (fd >= 0) fds = std::span<const int>(&fd, 1);
  send_with_fds(fd_.get(), buffer, fds, "send to container sync socket");
}

bool SyncChannel::receive(SyncMessage& message) {
  std::vector<char> buffer(kMaxMessage);
  ReceivedData got;
  try {
    got = receive_with_fds(fd_.get(), buffer, 1, "receive from container sync socket");
  } catch (const Error& e) {
    if (e.sys_errno() == ECONNRESET) return false;
    throw;
  }
  size_t n = got.bytes;
  if (n == 0) return false;
  if (n < sizeof(uint32_t)) throw Error("short message on container sync socket");
  uint32_t raw;
  std::memcpy(&raw, buffer.data(), sizeof raw);
  message.type = static_cast<SyncType>(raw);
  message.payload.assign(buffer.data() + sizeof raw, n - sizeof raw);
  message.fd.reset();
  if (!got.fds.empty()) message.fd = std::move(got.fds.front());
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
