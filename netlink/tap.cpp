#include "netlink/tap.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace chrunc::netlink {

UniqueFd create_tap(const std::string& name, const TapOptions& options) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw Error("TUNSETIFF " + name + ": invalid interface name", EINVAL);
  UniqueFd fd(check_syscall(::open("/dev/net/tun", O_RDWR | O_CLOEXEC), "open /dev/net/tun"));
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (options.vnet_hdr) ifr.ifr_flags |= IFF_VNET_HDR;
  if (options.exclusive) ifr.ifr_flags |= IFF_TUN_EXCL;
  check_syscall(::ioctl(fd.get(), TUNSETIFF, &ifr), "TUNSETIFF " + name);
  if (options.persistent)
    check_syscall(::ioctl(fd.get(), TUNSETPERSIST, 1), "TUNSETPERSIST " + name);
  return fd;
}

}  // namespace chrunc::netlink
