#pragma once
// The socket between the caller and a container process it forked: typed
// messages (SOCK_SEQPACKET keeps their boundaries), optionally carrying one
// fd, and errors raised in the child rethrown in the parent.

#include <cstdint>
#include <string>
#include <utility>

#include "common/unique_fd.hpp"

namespace chrunc::container {

enum class SyncType : uint32_t {
  kPid = 1,    // intermediate -> parent: the container process's pid (payload: decimal)
  kGo,         // parent -> child: mappings and cgroup done (payload: state JSON)
  kReady,      // child -> parent: set up, parked before execve
  kStart,      // parent -> child: execve now
  kPtyMaster,  // child -> parent: the pty master (fd attached)
  kError,      // child -> parent: payload is the error text
};

struct SyncMessage {
  SyncType type{};
  std::string payload;
  UniqueFd fd;  // kPtyMaster only
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}

  // A connected pair of CLOEXEC SOCK_SEQPACKET ends: {parent, child}.
  static std::pair<SyncChannel, SyncChannel> make_pair();

  void send(SyncType type, const std::string& payload = {}, int fd = -1);
  // Blocks for the next message; nullopt-like: type 0 on EOF.
  bool receive(SyncMessage& message);
  // Receives the next message and checks its type; a kError is rethrown as
  // chrunc::Error, EOF becomes an Error naming `step`.
  SyncMessage expect(SyncType type, const std::string& step);

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }
  // Forgets the fd without closing it (it was closed or replaced already).
  int release_without_close() { return fd_.release(); }

 private:
  UniqueFd fd_;
};

}  // namespace chrunc::container
