#include "netlink/route.hpp"

#include <cerrno>

#include "common/error.hpp"
#include "netlink/inet.hpp"
#include "netlink/link.hpp"

namespace chrunc::netlink {
namespace {

std::string describe(uint16_t type, const Route& r) {
  std::string s(message_type_name(type));
  s += " " + (r.destination.empty() ? std::string("default") : r.destination);
  if (!r.gateway.empty()) s += " via " + r.gateway;
  if (!r.device.empty()) s += " dev " + r.device;
  if (r.metric) s += " metric " + std::to_string(r.metric);
  return s;
}

void route_request(Socket& sock, uint16_t type, uint16_t flags, const Route& r) {
  std::string desc = describe(type, r);
  int family = r.ipv6 ? AF_INET6 : AF_INET;
  Cidr dst;
  bool has_dst = !r.destination.empty();
  if (has_dst) {
    dst = parse_cidr(r.destination);
    family = dst.address.family;
  }
  InetAddress gw;
  if (!r.gateway.empty()) {
    gw = parse_ip(r.gateway);
    if (has_dst && gw.family != family)
      throw Error(desc + ": gateway and destination differ in family", EINVAL);
    family = gw.family;
  }
  if (r.gateway.empty() && r.device.empty())
    throw Error(desc + ": a route needs a gateway or a device", EINVAL);

  Request req(type, flags);
  auto& rtm = req.header<rtmsg>();
  rtm.rtm_family = static_cast<uint8_t>(family);
  rtm.rtm_dst_len = has_dst ? dst.prefix : 0;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_protocol = RTPROT_BOOT;
  rtm.rtm_type = RTN_UNICAST;
  rtm.rtm_scope = r.gateway.empty() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  if (type == RTM_DELROUTE) {
    rtm.rtm_protocol = 0;
    rtm.rtm_scope = RT_SCOPE_NOWHERE;
  }
  if (has_dst) req.put(RTA_DST, dst.address.data(), dst.address.size());
  if (!r.gateway.empty()) req.put(RTA_GATEWAY, gw.data(), gw.size());
  if (!r.device.empty()) req.put_u32(RTA_OIF, static_cast<uint32_t>(link_index(sock, r.device)));
  if (r.metric) req.put_u32(RTA_PRIORITY, r.metric);
  sock.request(req, desc);
}

}  // namespace

void add_route(Socket& sock, const Route& route) {
  route_request(sock, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, route);
}

void delete_route(Socket& sock, const Route& route) {
  route_request(sock, RTM_DELROUTE, 0, route);
}

std::vector<Route> list_routes(Socket& sock, int family) {
  Request req(RTM_GETROUTE, 0);
  req.header<rtmsg>().rtm_family = static_cast<uint8_t>(family);
  std::vector<Route> out;
  std::vector<std::pair<int, std::string>> names;  // index -> name cache
  for (const auto& m : sock.dump(req, "RTM_GETROUTE dump")) {
    auto rtm = m.header<rtmsg>();
    if (m.type() != RTM_NEWROUTE || !rtm) continue;
    if (family != AF_UNSPEC && rtm->rtm_family != family) continue;
    if (rtm->rtm_type != RTN_UNICAST) continue;
    Attrs attrs = m.attrs(sizeof(rtmsg));
    uint32_t table = rtm->rtm_table;
    if (auto t = attrs.find(RTA_TABLE)) table = t->u32();
    if (table != RT_TABLE_MAIN) continue;
    Route r;
    r.ipv6 = rtm->rtm_family == AF_INET6;
    if (auto a = attrs.find(RTA_DST))
      r.destination = format_ip(rtm->rtm_family, a->data) + "/" + std::to_string(rtm->rtm_dst_len);
    if (auto a = attrs.find(RTA_GATEWAY)) r.gateway = format_ip(rtm->rtm_family, a->data);
    if (auto a = attrs.find(RTA_PRIORITY)) r.metric = a->u32();
    if (auto a = attrs.find(RTA_OIF)) r.oif = a->s32();
    r.protocol = rtm->rtm_protocol;
    r.scope = rtm->rtm_scope;
    if (r.oif > 0) {
      std::string name;
      for (const auto& [i, n] : names)
        if (i == r.oif) name = n;
      if (name.empty()) {
        name = get_link(sock, r.oif).name;
        names.emplace_back(r.oif, name);
      }
      r.device = name;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace chrunc::netlink
