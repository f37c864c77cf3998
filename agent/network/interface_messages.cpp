#include "agent/network/interface_messages.hpp"

#include <cerrno>
#include <set>

#include "common/error.hpp"

namespace chrunc::agent {

v1::ConfigureInterfacesRequest interfaces_request(
    const std::vector<netlink::InterfaceSnapshot>& interfaces) {
  v1::ConfigureInterfacesRequest request;
  for (const auto& snapshot : interfaces) {
    auto* i = request.add_interfaces();
    i->set_name(snapshot.name);
    i->set_mac(snapshot.mac);
    i->set_mtu(snapshot.mtu);
    for (const auto& a : snapshot.addresses) {
      auto* address = i->add_addresses();
      address->set_address(a.address);
      address->set_prefix_length(a.prefix);
    }
    for (const auto& r : snapshot.routes) {
      auto* route = request.add_routes();
      route->set_destination(r.destination);
      route->set_gateway(r.gateway);
      route->set_device(snapshot.name);
      route->set_metric(r.metric);
      route->set_ipv6(r.ipv6);
    }
  }
  return request;
}

std::vector<netlink::InterfaceSnapshot> interfaces_from_request(
    const v1::ConfigureInterfacesRequest& request) {
  std::vector<netlink::InterfaceSnapshot> out;
  std::set<std::string> names;
  for (const auto& i : request.interfaces()) {
    if (i.name().empty()) throw Error("ConfigureInterfaces: an interface has no name", EINVAL);
    if (!names.insert(i.name()).second)
      throw Error("ConfigureInterfaces: interface " + i.name() + " given twice", EINVAL);
    netlink::InterfaceSnapshot s;
    s.name = i.name();
    s.mac = i.mac();
    s.mtu = i.mtu();
    for (const auto& a : i.addresses()) {
      if (a.prefix_length() > 128)
        throw Error("ConfigureInterfaces: " + i.name() + ": prefix length " +
                        std::to_string(a.prefix_length()) + " of " + a.address(),
                    EINVAL);
      s.addresses.push_back({a.address(), static_cast<uint8_t>(a.prefix_length())});
    }
    out.push_back(std::move(s));
  }
  for (const auto& r : request.routes()) {
    netlink::InterfaceSnapshot* owner = nullptr;
    for (auto& s : out)
      if (s.name == r.device()) owner = &s;
    if (!owner)
      throw Error("ConfigureInterfaces: route " +
                      (r.destination().empty() ? std::string("default") : r.destination()) +
                      " names device '" + r.device() + "', which is not among the interfaces",
                  EINVAL);
    netlink::Route route;
    route.destination = r.destination();
    route.gateway = r.gateway();
    route.device = r.device();
    route.metric = r.metric();
    route.ipv6 = r.ipv6();
    owner->routes.push_back(std::move(route));
  }
  return out;
}

}  // namespace chrunc::agent
