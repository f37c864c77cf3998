#include "netlink/configure.hpp"

#include <cerrno>

#include "common/error.hpp"
#include "netlink/address.hpp"
#include "netlink/inet.hpp"
#include "netlink/route.hpp"

namespace chrunc::netlink {
namespace {

std::string normalized_mac(const std::string& mac) {
  auto bytes = parse_mac(mac);
  return format_mac(std::as_bytes(std::span(bytes)));
}

// Runs `step`, ignoring "File exists".
template <typename Step>
void unless_exists(Step step) {
  try {
    step();
  } catch (const Error& e) {
    if (e.sys_errno() != EEXIST) throw;
  }
}

}  // namespace

std::optional<Link> find_link_by_mac(Socket& sock, const std::string& mac) {
  std::string want = normalized_mac(mac);
  for (auto& l : list_links(sock))
    if (l.mac == want) return l;
  return std::nullopt;
}

void configure_interface(Socket& sock, const InterfaceSnapshot& wanted) {
  std::optional<Link> link;
  if (!wanted.mac.empty()) link = find_link_by_mac(sock, wanted.mac);
  if (!link) link = find_link(sock, wanted.name);
  if (!link)
    throw Error("configure " + wanted.name + ": no link called so or with MAC " + wanted.mac,
                ENODEV);
  if (link->name != wanted.name) {
    if (link->up) set_link_up(sock, link->name, false);  // a link is renamed while down
    rename_link(sock, link->name, wanted.name);
  }
  if (!wanted.mac.empty() && link->mac != normalized_mac(wanted.mac))
    set_mac(sock, wanted.name, wanted.mac);
  if (wanted.mtu != 0 && link->mtu != wanted.mtu) set_mtu(sock, wanted.name, wanted.mtu);
  for (const auto& a : wanted.addresses)
    unless_exists([&] { add_address(sock, wanted.name, a.address, a.prefix); });
  set_link_up(sock, wanted.name, true);
  for (Route r : wanted.routes) {
    r.device = wanted.name;
    unless_exists([&] { add_route(sock, r); });
  }
}

void set_loopback_up(Socket& sock) {
  set_link_up(sock, "lo", true);
}

}  // namespace chrunc::netlink
