#pragma once
// Network namespace helpers. setns(CLONE_NEWNET) and unshare(CLONE_NEWNET)
// change only the calling thread: a NetnsGuard must be created and
// destroyed on the same thread, and only sockets opened inside its scope
// belong to the namespace it entered.

#include <sys/types.h>

#include <filesystem>

#include "common/unique_fd.hpp"

namespace chrunc::netlink {

// An fd of the network namespace at `path` (e.g. /var/run/netns/x, /proc/<pid>/ns/net).
UniqueFd open_netns(const std::filesystem::path& path);
// An fd of the network namespace of process `pid`.
UniqueFd open_netns_of_pid(pid_t pid);
// An fd of the calling thread's network namespace.
UniqueFd current_netns();
// A new, empty network namespace (loopback only, down); the calling
// thread stays where it was. It lives as long as an fd or process holds it.
UniqueFd new_netns();

// Enters the network namespace `netns_fd` for the scope, then returns the
// calling thread to the namespace it was in.
class NetnsGuard {
 public:
  explicit NetnsGuard(int netns_fd);
  ~NetnsGuard();
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

 private:
  UniqueFd previous_;
};

}  // namespace chrunc::netlink
