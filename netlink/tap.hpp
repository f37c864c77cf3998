#pragma once
// Tap devices made through /dev/net/tun (TUNSETIFF).

#include <string>

#include "common/unique_fd.hpp"

namespace chrunc::netlink {

struct TapOptions {
  bool vnet_hdr = false;    // IFF_VNET_HDR: frames carry a virtio_net_hdr (what a VMM wants)
  bool persistent = false;  // TUNSETPERSIST: the tap outlives the fd (remove with delete_link)
  bool exclusive = true;    // IFF_TUN_EXCL: fail (EBUSY) rather than attach to an existing tap
};

// Creates tap `name` (IFF_TAP | IFF_NO_PI) in the calling thread's netns and
// returns its fd. Without `persistent` the tap goes away when every copy of
// the fd is closed.
UniqueFd create_tap(const std::string& name, const TapOptions& options = {});

}  // namespace chrunc::netlink
