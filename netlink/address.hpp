#pragma once
// IP addresses (IPv4 and IPv6) of links.

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "netlink/socket.hpp"

namespace chrunc::netlink {

// An address to give a link.
struct IpAddress {
  std::string address;  // "10.88.0.2", "fd00::2"
  uint8_t prefix = 0;
};

// An address as the kernel lists it.
struct Address {
  int index = 0;        // the link's index
  int family = 0;       // AF_INET or AF_INET6
  std::string address;  // "10.0.0.2", "fd00::2"
  uint8_t prefix = 0;
  uint8_t scope = 0;  // RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_HOST
};

// Adds `address`/`prefix` to link `ifname` (the family follows the address).
void add_address(Socket& sock, const std::string& ifname, const std::string& address,
                 uint8_t prefix);
void delete_address(Socket& sock, const std::string& ifname, const std::string& address,
                    uint8_t prefix);
// The addresses of one link (`ifindex` > 0) or of all; `family` AF_UNSPEC for both.
std::vector<Address> list_addresses(Socket& sock, int family = 0, int ifindex = 0);

}  // namespace chrunc::netlink
