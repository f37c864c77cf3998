// configure_guest_network in a namespace standing for the guest: its "NIC"
// is a veth end that already has the MAC the VMM would give it.
#include "agent/network/guest_network.hpp"

#include <gtest/gtest.h>

#include "agent/network/interface_messages.hpp"
#include "common/error.hpp"
#include "netlink/address.hpp"
#include "netlink/configure.hpp"
#include "netlink/link.hpp"
#include "netns_fixture.hpp"

namespace chrunc::agent {
namespace {

using namespace std::chrono_literals;
using GuestNetworkTest = netlink::test::NetnsTest;

v1::ConfigureInterfacesRequest docker_like_request() {
  netlink::InterfaceSnapshot s;
  s.name = "eth0";
  s.mac = "02:42:ac:11:00:07";
  s.mtu = 1400;
  s.addresses = {{"172.17.0.7", 16}};
  s.routes = {netlink::Route{.destination = "", .gateway = "172.17.0.1", .device = "eth0"}};
  auto request = interfaces_request({s});
  auto* n = request.add_neighbours();
  n->set_address("172.17.0.1");
  n->set_mac("02:42:00:00:00:01");
  n->set_device("eth0");
  return request;
}

TEST_F(GuestNetworkTest, NicGetsNameAddressRouteMtuAndLoopbackComesUp) {
  netlink::create_veth(sock(), "ens3", "peer");
  netlink::set_mac(sock(), "ens3", "02:42:AC:11:00:07");
  netlink::set_link_up(sock(), "peer");
  ASSERT_FALSE(netlink::get_link(sock(), "lo").up);

  configure_guest_network(docker_like_request());

  EXPECT_TRUE(netlink::get_link(sock(), "lo").up);
  auto eth0 = netlink::get_link(sock(), "eth0");
  EXPECT_TRUE(eth0.up);
  EXPECT_EQ(eth0.mtu, 1400u);
  EXPECT_EQ(eth0.mac, "02:42:ac:11:00:07");
  bool has_address = false;
  for (const auto& a : netlink::list_addresses(sock(), AF_INET, eth0.index))
    has_address |= a.address == "172.17.0.7" && a.prefix == 16;
  EXPECT_TRUE(has_address);
  auto routes = netlink::test::run("ip -4 route show default");
  EXPECT_NE(routes.find("default via 172.17.0.1 dev eth0"), std::string::npos) << routes;
  auto neigh = netlink::test::run("ip neigh show 172.17.0.1");
  EXPECT_NE(neigh.find("02:42:00:00:00:01"), std::string::npos) << neigh;
}

TEST_F(GuestNetworkTest, MissingNicIsAnErrorNamingItsMac) {
  try {
    configure_guest_network(docker_like_request(), 100ms);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("02:42:ac:11:00:07"), std::string::npos) << e.what();
  }
}

TEST_F(GuestNetworkTest, EmptyRequestOnlyBringsUpLoopback) {
  configure_guest_network({});
  EXPECT_TRUE(netlink::get_link(sock(), "lo").up);
  EXPECT_EQ(netlink::list_links(sock()).size(), 1u);
}

}  // namespace
}  // namespace chrunc::agent
