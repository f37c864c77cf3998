#include "netlink/snapshot.hpp"

#include <linux/if_arp.h>

#include "netlink/address.hpp"
#include "netlink/link.hpp"

namespace chrunc::netlink {

std::vector<InterfaceSnapshot> snapshot_interfaces(Socket& sock) {
  std::vector<InterfaceSnapshot> out;
  auto addresses = list_addresses(sock);
  auto routes = list_routes(sock);
  for (const auto& link : list_links(sock)) {
    if (link.type == ARPHRD_LOOPBACK) continue;
    InterfaceSnapshot s{link.name, link.mac, link.mtu, {}, {}};
    for (const auto& a : addresses) {
      if (a.index != link.index) continue;
      if (a.family == AF_INET6 && a.scope == RT_SCOPE_LINK) continue;
      s.addresses.push_back(IpAddress{a.address, a.prefix});
    }
    for (const auto& r : routes) {
      if (r.oif != link.index || r.protocol == RTPROT_KERNEL) continue;
      s.routes.push_back(r);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<InterfaceSnapshot> snapshot_interfaces() {
  Socket sock;
  return snapshot_interfaces(sock);
}

}  // namespace chrunc::netlink
