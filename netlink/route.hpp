#pragma once
// Routes of the main table (IPv4 and IPv6).

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "netlink/socket.hpp"

namespace chrunc::netlink {

struct Route {
  // CIDR ("10.1.0.0/16"); empty for the default route.
  std::string destination;
  std::string gateway;  // empty for a directly connected (scope link) route
  std::string device;   // outgoing link (name); may be empty when `gateway` is set
  uint32_t metric = 0;  // RTA_PRIORITY
  bool ipv6 = false;    // only consulted when neither destination nor gateway says it
  // Filled by list_routes (ignored by add/delete):
  int oif = 0;           // index of the outgoing link
  uint8_t protocol = 0;  // RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, ...
  uint8_t scope = 0;     // RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, ...
};

void add_route(Socket& sock, const Route& route);
void delete_route(Socket& sock, const Route& route);
// The unicast routes of the main table; `family` AF_INET, AF_INET6 or AF_UNSPEC for both.
std::vector<Route> list_routes(Socket& sock, int family = 0);

}  // namespace chrunc::netlink
