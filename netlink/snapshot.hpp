#pragma once
// What the guest must be told about a network namespace: every interface
// but loopback, with its MAC, MTU, addresses and the routes through it.

#include <cstdint>
#include <string>
#include <vector>

#include "netlink/address.hpp"
#include "netlink/route.hpp"
#include "netlink/socket.hpp"

namespace chrunc::netlink {

struct InterfaceSnapshot {
  std::string name;
  std::string mac;
  uint32_t mtu = 0;
  std::vector<IpAddress> addresses;  // without IPv6 link-local ones (the guest makes its own)
  std::vector<Route> routes;         // without those the kernel made for the addresses
};

// The interfaces of the netns `sock` belongs to.
std::vector<InterfaceSnapshot> snapshot_interfaces(Socket& sock);
// The interfaces of the calling thread's netns.
std::vector<InterfaceSnapshot> snapshot_interfaces();

}  // namespace chrunc::netlink
