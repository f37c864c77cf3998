#include "netlink/link.hpp"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/veth.h>

#include <cerrno>

#include "common/error.hpp"
#include "netlink/inet.hpp"

namespace chrunc::netlink {
namespace {

Link parse_link(const Message& m) {
  Link l;
  auto ifi = m.header<ifinfomsg>();
  if (!ifi) return l;
  l.index = ifi->ifi_index;
  l.type = ifi->ifi_type;
  l.up = ifi->ifi_flags & IFF_UP;
  l.running = ifi->ifi_flags & IFF_RUNNING;
  Attrs attrs = m.attrs(sizeof(ifinfomsg));
  if (auto a = attrs.find(IFLA_IFNAME)) l.name = a->str();
  if (auto a = attrs.find(IFLA_ADDRESS)) l.mac = format_mac(a->data);
  if (auto a = attrs.find(IFLA_MTU)) l.mtu = a->u32();
  if (auto a = attrs.find(IFLA_MASTER)) l.master = a->s32();
  if (auto a = attrs.find(IFLA_LINK)) l.peer_index = a->s32();
  if (auto a = attrs.nested(IFLA_LINKINFO).find(IFLA_INFO_KIND)) l.kind = a->str();
  return l;
}

// An RTM_NEWLINK/RTM_SETLINK on the link called `name`.
Request link_request(uint16_t type, uint16_t flags, const std::string& name) {
  Request req(type, flags);
  req.header<ifinfomsg>().ifi_family = AF_UNSPEC;
  req.put_string(IFLA_IFNAME, name);
  return req;
}

std::string what(uint16_t type, const std::string& name) {
  return std::string(message_type_name(type)) + " " + name;
}

Link get_one(Socket& sock, Request& req, const std::string& desc) {
  for (const auto& m : sock.request(req, desc))
    if (m.type() == RTM_NEWLINK) return parse_link(m);
  throw Error(desc + ": no link in the answer", ENODEV);
}

}  // namespace

std::vector<Link> list_links(Socket& sock) {
  Request req(RTM_GETLINK, 0);
  req.header<ifinfomsg>().ifi_family = AF_UNSPEC;
  std::vector<Link> out;
  for (const auto& m : sock.dump(req, "RTM_GETLINK dump"))
    if (m.type() == RTM_NEWLINK) out.push_back(parse_link(m));
  return out;
}

Link get_link(Socket& sock, const std::string& name) {
  Request req = link_request(RTM_GETLINK, 0, name);
  return get_one(sock, req, what(RTM_GETLINK, name));
}

Link get_link(Socket& sock, int index) {
  Request req(RTM_GETLINK, 0);
  auto& ifi = req.header<ifinfomsg>();
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  return get_one(sock, req, "RTM_GETLINK index " + std::to_string(index));
}

std::optional<Link> find_link(Socket& sock, const std::string& name) {
  try {
    return get_link(sock, name);
  } catch (const Error& e) {
    if (e.sys_errno() == ENODEV) return std::nullopt;
    throw;
  }
}

int link_index(Socket& sock, const std::string& name) {
  return get_link(sock, name).index;
}

void create_veth(Socket& sock, const std::string& name, const std::string& peer_name,
                 std::optional<int> peer_netns_fd) {
  Request req = link_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
  size_t info = req.begin_nested(IFLA_LINKINFO);
  req.put_string(IFLA_INFO_KIND, "veth");
  size_t data = req.begin_nested(IFLA_INFO_DATA);
  size_t peer = req.begin_nested(VETH_INFO_PEER);
  // The peer is described by an ifinfomsg followed by its attributes.
  ifinfomsg peer_ifi{};
  peer_ifi.ifi_family = AF_UNSPEC;
  req.put_raw(&peer_ifi, sizeof peer_ifi);
  req.put_string(IFLA_IFNAME, peer_name);
  if (peer_netns_fd) req.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(*peer_netns_fd));
  req.end_nested(peer);
  req.end_nested(data);
  req.end_nested(info);
  sock.request(req, what(RTM_NEWLINK, name) + " (veth peer " + peer_name + ")");
}

void create_bridge(Socket& sock, const std::string& name) {
  Request req = link_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
  size_t info = req.begin_nested(IFLA_LINKINFO);
  req.put_string(IFLA_INFO_KIND, "bridge");
  req.end_nested(info);
  sock.request(req, what(RTM_NEWLINK, name) + " (bridge)");
}

void delete_link(Socket& sock, const std::string& name) {
  Request req = link_request(RTM_DELLINK, 0, name);
  sock.request(req, what(RTM_DELLINK, name));
}

void set_link_up(Socket& sock, const std::string& name, bool up) {
  Request req = link_request(RTM_NEWLINK, 0, name);
  auto& ifi = req.existing_header<ifinfomsg>();
  ifi.ifi_change = IFF_UP;
  ifi.ifi_flags = up ? IFF_UP : 0;
  sock.request(req, what(RTM_NEWLINK, name) + (up ? " (up)" : " (down)"));
}

void set_mtu(Socket& sock, const std::string& name, uint32_t mtu) {
  Request req = link_request(RTM_NEWLINK, 0, name);
  req.put_u32(IFLA_MTU, mtu);
  sock.request(req, what(RTM_NEWLINK, name) + " (mtu " + std::to_string(mtu) + ")");
}

void set_mac(Socket& sock, const std::string& name, const std::string& mac) {
  auto bytes = parse_mac(mac);
  Request req = link_request(RTM_NEWLINK, 0, name);
  req.put(IFLA_ADDRESS, bytes.data(), bytes.size());
  sock.request(req, what(RTM_NEWLINK, name) + " (address " + mac + ")");
}

void set_master(Socket& sock, const std::string& name, const std::string& master) {
  int master_index = master.empty() ? 0 : link_index(sock, master);
  Request req = link_request(RTM_NEWLINK, 0, name);
  req.put_u32(IFLA_MASTER, static_cast<uint32_t>(master_index));
  sock.request(
      req, what(RTM_NEWLINK, name) + (master.empty() ? " (nomaster)" : " (master " + master + ")"));
}

void rename_link(Socket& sock, const std::string& name, const std::string& new_name) {
  Link l = get_link(sock, name);
  Request req(RTM_NEWLINK, 0);
  auto& ifi = req.header<ifinfomsg>();
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = l.index;
  req.put_string(IFLA_IFNAME, new_name);
  sock.request(req, what(RTM_NEWLINK, name) + " (name " + new_name + ")");
}

void move_to_netns_fd(Socket& sock, const std::string& name, int netns_fd) {
  Request req = link_request(RTM_NEWLINK, 0, name);
  req.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
  sock.request(req, what(RTM_NEWLINK, name) + " (netns fd " + std::to_string(netns_fd) + ")");
}

void move_to_netns_pid(Socket& sock, const std::string& name, pid_t pid) {
  Request req = link_request(RTM_NEWLINK, 0, name);
  req.put_u32(IFLA_NET_NS_PID, static_cast<uint32_t>(pid));
  sock.request(req, what(RTM_NEWLINK, name) + " (netns of pid " + std::to_string(pid) + ")");
}

}  // namespace chrunc::netlink
