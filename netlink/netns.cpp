#include "netlink/netns.hpp"

#include <fcntl.h>
#include <sched.h>

#include <cstdlib>
#include <string>

#include "common/error.hpp"

namespace chrunc::netlink {

UniqueFd open_netns(const std::filesystem::path& path) {
  return UniqueFd(
      check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open netns " + path.string()));
}

UniqueFd open_netns_of_pid(pid_t pid) {
  return open_netns("/proc/" + std::to_string(pid) + "/ns/net");
}

UniqueFd current_netns() {
  return open_netns("/proc/thread-self/ns/net");
}

UniqueFd new_netns() {
  UniqueFd previous = current_netns();
  check_syscall(::unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
  UniqueFd created;
  try {
    created = current_netns();
  } catch (...) {
    if (::setns(previous.get(), CLONE_NEWNET) != 0) std::abort();
    throw;
  }
  // Failing to go back would leave this thread in the wrong namespace.
  if (::setns(previous.get(), CLONE_NEWNET) != 0) std::abort();
  return created;
}

NetnsGuard::NetnsGuard(int netns_fd) : previous_(current_netns()) {
  check_syscall(::setns(netns_fd, CLONE_NEWNET), "setns(CLONE_NEWNET)");
}

NetnsGuard::~NetnsGuard() {
  // Failing to go back would leave this thread in the wrong namespace.
  if (::setns(previous_.get(), CLONE_NEWNET) != 0) std::abort();
}

}  // namespace chrunc::netlink
