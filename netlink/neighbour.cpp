#include "netlink/neighbour.hpp"

#include <linux/neighbour.h>

#include "netlink/inet.hpp"
#include "netlink/link.hpp"

namespace chrunc::netlink {
namespace {

void neighbour_request(Socket& sock, uint16_t type, uint16_t flags, const Neighbour& n) {
  InetAddress ip = parse_ip(n.address);
  Request req(type, flags);
  auto& ndm = req.header<ndmsg>();
  ndm.ndm_family = static_cast<uint8_t>(ip.family);
  ndm.ndm_ifindex = link_index(sock, n.device);
  ndm.ndm_state = NUD_PERMANENT;
  req.put(NDA_DST, ip.data(), ip.size());
  if (type == RTM_NEWNEIGH) {
    auto mac = parse_mac(n.mac);
    req.put(NDA_LLADDR, mac.data(), mac.size());
  }
  sock.request(req, std::string(message_type_name(type)) + " " + n.address + " dev " + n.device);
}

}  // namespace

void add_neighbour(Socket& sock, const Neighbour& neighbour) {
  neighbour_request(sock, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, neighbour);
}

void delete_neighbour(Socket& sock, const Neighbour& neighbour) {
  neighbour_request(sock, RTM_DELNEIGH, 0, neighbour);
}

std::vector<Neighbour> list_neighbours(Socket& sock, int family, int ifindex) {
  Request req(RTM_GETNEIGH, 0);
  req.header<ndmsg>().ndm_family = static_cast<uint8_t>(family);
  std::vector<Neighbour> out;
  for (const auto& m : sock.dump(req, "RTM_GETNEIGH dump")) {
    auto ndm = m.header<ndmsg>();
    if (m.type() != RTM_NEWNEIGH || !ndm) continue;
    if (family != AF_UNSPEC && ndm->ndm_family != family) continue;
    if (ifindex > 0 && ndm->ndm_ifindex != ifindex) continue;
    Attrs attrs = m.attrs(sizeof(ndmsg));
    Neighbour n;
    if (auto a = attrs.find(NDA_DST)) n.address = format_ip(ndm->ndm_family, a->data);
    if (auto a = attrs.find(NDA_LLADDR)) n.mac = format_mac(a->data);
    n.index = ndm->ndm_ifindex;
    n.state = ndm->ndm_state;
    if (n.address.empty()) continue;
    n.device = get_link(sock, n.index).name;
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace chrunc::netlink
