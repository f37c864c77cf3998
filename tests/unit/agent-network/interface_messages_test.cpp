#include "agent/network/interface_messages.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

netlink::InterfaceSnapshot eth0() {
  netlink::InterfaceSnapshot s;
  s.name = "eth0";
  s.mac = "02:42:ac:11:00:02";
  s.mtu = 1450;
  s.addresses = {{"172.17.0.2", 16}, {"fd00:17::2", 64}};
  s.routes = {netlink::Route{.destination = "", .gateway = "172.17.0.1", .device = "eth0"},
              netlink::Route{.destination = "10.60.0.0/16",
                             .gateway = "172.17.0.254",
                             .device = "eth0",
                             .metric = 20}};
  return s;
}

TEST(InterfaceMessages, RoundTripKeepsEverythingTheGuestNeeds) {
  netlink::InterfaceSnapshot net1;
  net1.name = "net1";
  net1.mac = "02:00:00:00:00:09";
  net1.routes = {netlink::Route{.destination = "fd00:99::/64", .device = "net1", .ipv6 = true}};
  auto request = interfaces_request({eth0(), net1});
  ASSERT_EQ(request.interfaces_size(), 2);
  ASSERT_EQ(request.routes_size(), 3);
  EXPECT_EQ(request.routes(1).device(), "eth0");
  EXPECT_EQ(request.routes(1).metric(), 20u);

  auto back = interfaces_from_request(request);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].name, "eth0");
  EXPECT_EQ(back[0].mac, "02:42:ac:11:00:02");
  EXPECT_EQ(back[0].mtu, 1450u);
  ASSERT_EQ(back[0].addresses.size(), 2u);
  EXPECT_EQ(back[0].addresses[1].address, "fd00:17::2");
  EXPECT_EQ(back[0].addresses[1].prefix, 64);
  ASSERT_EQ(back[0].routes.size(), 2u);
  EXPECT_EQ(back[0].routes[0].destination, "");
  EXPECT_EQ(back[0].routes[0].gateway, "172.17.0.1");
  EXPECT_EQ(back[0].routes[1].destination, "10.60.0.0/16");
  EXPECT_EQ(back[0].routes[1].metric, 20u);
  ASSERT_EQ(back[1].routes.size(), 1u);
  EXPECT_TRUE(back[1].routes[0].ipv6);
  EXPECT_EQ(back[1].routes[0].device, "net1");
}

TEST(InterfaceMessages, RejectsWhatCannotBeConfigured) {
  auto request = interfaces_request({eth0()});
  request.mutable_routes(0)->set_device("eth7");
  EXPECT_THROW(interfaces_from_request(request), Error);

  auto twice = interfaces_request({eth0(), eth0()});
  EXPECT_THROW(interfaces_from_request(twice), Error);

  auto nameless = interfaces_request({eth0()});
  nameless.mutable_interfaces(0)->set_name("");
  nameless.clear_routes();
  EXPECT_THROW(interfaces_from_request(nameless), Error);

  auto prefix = interfaces_request({eth0()});
  prefix.mutable_interfaces(0)->mutable_addresses(0)->set_prefix_length(300);
  EXPECT_THROW(interfaces_from_request(prefix), Error);
}

}  // namespace
}  // namespace chrunc::agent
