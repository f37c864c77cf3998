#include "netlink/address.hpp"

#include <arpa/inet.h>
#include <linux/if_addr.h>

#include <cstring>

#include "netlink/inet.hpp"
#include "netlink/link.hpp"

namespace chrunc::netlink {
namespace {

void address_request(Socket& sock, uint16_t type, uint16_t flags, const std::string& ifname,
                     const std::string& address, uint8_t prefix) {
  InetAddress ip = parse_ip(address);
  int index = link_index(sock, ifname);
  Request req(type, flags);
  auto& ifa = req.header<ifaddrmsg>();
  ifa.ifa_family = static_cast<uint8_t>(ip.family);
  ifa.ifa_prefixlen = prefix;
  ifa.ifa_index = static_cast<uint32_t>(index);
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  req.put(IFA_LOCAL, ip.data(), ip.size());
  req.put(IFA_ADDRESS, ip.data(), ip.size());
  if (ip.family == AF_INET && prefix < 31) {
    // The broadcast address, as `ip addr add ... brd +` would set it.
    uint32_t host = 0;
    std::memcpy(&host, ip.data(), 4);
    uint32_t mask = prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
    uint32_t brd = (host & mask) | ~mask;
    if (type == RTM_NEWADDR) req.put_u32(IFA_BROADCAST, brd);
  }
  sock.request(req, std::string(message_type_name(type)) + " " + ifname + " " + address + "/" +
                        std::to_string(prefix));
}

}  // namespace

void add_address(Socket& sock, const std::string& ifname, const std::string& address,
                 uint8_t prefix) {
  address_request(sock, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifname, address, prefix);
}

void delete_address(Socket& sock, const std::string& ifname, const std::string& address,
                    uint8_t prefix) {
  address_request(sock, RTM_DELADDR, 0, ifname, address, prefix);
}

std::vector<Address> list_addresses(Socket& sock, int family, int ifindex) {
  Request req(RTM_GETADDR, 0);
  req.header<ifaddrmsg>().ifa_family = static_cast<uint8_t>(family);
  std::vector<Address> out;
  for (const auto& m : sock.dump(req, "RTM_GETADDR dump")) {
    auto ifa = m.header<ifaddrmsg>();
    if (m.type() != RTM_NEWADDR || !ifa) continue;
    if (ifindex > 0 && static_cast<int>(ifa->ifa_index) != ifindex) continue;
    if (family != AF_UNSPEC && ifa->ifa_family != family) continue;
    Attrs attrs = m.attrs(sizeof(ifaddrmsg));
    // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links.
    std::optional<Attr> a = attrs.find(IFA_LOCAL);
    if (!a) a = attrs.find(IFA_ADDRESS);
    if (!a) continue;
    out.push_back(Address{static_cast<int>(ifa->ifa_index), ifa->ifa_family,
                          format_ip(ifa->ifa_family, a->data), ifa->ifa_prefixlen, ifa->ifa_scope});
  }
  return out;
}

}  // namespace chrunc::netlink
