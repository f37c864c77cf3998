#include "agent/network/guest_network.hpp"

#include <cerrno>
#include <thread>

#include "agent/network/interface_messages.hpp"
#include "common/error.hpp"
#include "netlink/configure.hpp"
#include "netlink/neighbour.hpp"

namespace chrunc::agent {
namespace {

void wait_for_link(netlink::Socket& sock, const netlink::InterfaceSnapshot& wanted,
                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!wanted.mac.empty() && netlink::find_link_by_mac(sock, wanted.mac)) return;
    if (wanted.mac.empty() && netlink::find_link(sock, wanted.name)) return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error("ConfigureInterfaces: no NIC with MAC " + wanted.mac + " for " + wanted.name +
                      " appeared in " + std::to_string(timeout.count()) + " ms",
                  ENODEV);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

void configure_guest_network(const v1::ConfigureInterfacesRequest& request,
                             std::chrono::milliseconds link_timeout) {
  auto interfaces = interfaces_from_request(request);
  netlink::Socket sock;
  netlink::set_loopback_up(sock);
  for (const auto& wanted : interfaces) {
    wait_for_link(sock, wanted, link_timeout);
    netlink::configure_interface(sock, wanted);
  }
  for (const auto& n : request.neighbours()) {
    netlink::Neighbour neighbour;
    neighbour.address = n.address();
    neighbour.mac = n.mac();
    neighbour.device = n.device();
    netlink::add_neighbour(sock, neighbour);
  }
}

}  // namespace chrunc::agent
