#include "agent/guest/loopback.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

void bring_up_loopback() {
  UniqueFd sock(check_syscall(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket AF_INET"));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  check_syscall(::ioctl(sock.get(), SIOCGIFFLAGS, &request), "ioctl SIOCGIFFLAGS lo");
  request.ifr_flags |= IFF_UP | IFF_RUNNING;
  check_syscall(::ioctl(sock.get(), SIOCSIFFLAGS, &request), "ioctl SIOCSIFFLAGS lo");
}

}  // namespace chrunc::agent
