#include "netlink/configure.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
#include "netlink/address.hpp"
#include "netlink/route.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::num;
using test::str;

using ConfigureTest = test::NetnsTest;

// The container's netns as docker leaves it: eth0 with a MAC, an MTU,
// addresses and a default route.
InterfaceSnapshot host_side_snapshot() {
  UniqueFd host = new_netns();
  Socket s = Socket::in_netns(host.get());
  create_veth(s, "eth0", "bridge-end");
  set_mac(s, "eth0", "02:42:AC:11:00:02");
  set_mtu(s, "eth0", 1450);
  set_link_up(s, "eth0");
  set_link_up(s, "bridge-end");
  add_address(s, "eth0", "172.17.0.2", 16);
  add_address(s, "eth0", "fd00:17::2", 64);
  add_route(s, Route{.destination = "", .gateway = "172.17.0.1", .device = "eth0"});
  add_route(s, Route{.destination = "10.60.0.0/16", .gateway = "172.17.0.254", .metric = 20});
  auto snap = snapshot_interfaces(s);
  auto it = std::find_if(snap.begin(), snap.end(), [](auto& i) { return i.name == "eth0"; });
  if (it == snap.end()) throw Error("no eth0 in the snapshot");
  return *it;
}

TEST_F(ConfigureTest, GuestGetsWhatTheHostSnapshotSays) {
  InterfaceSnapshot wanted = host_side_snapshot();
  ASSERT_EQ(wanted.mac, "02:42:ac:11:00:02");
  ASSERT_EQ(wanted.addresses.size(), 2u);
  ASSERT_EQ(wanted.routes.size(), 2u);

  // The "guest": its NIC already has the MAC (the VMM gave it) but another name.
  create_veth(sock(), "ens3", "other-end");
  set_mac(sock(), "ens3", "02:42:ac:11:00:02");
  set_link_up(sock(), "other-end");
  EXPECT_EQ(find_link_by_mac(sock(), "02:42:AC:11:00:02")->name, "ens3");

  configure_interface(sock(), wanted);
  configure_interface(sock(), wanted);  // twice is harmless
  set_loopback_up(sock());

  auto got = snapshot_interfaces(sock());
  auto it = std::find_if(got.begin(), got.end(), [](auto& i) { return i.name == "eth0"; });
  ASSERT_NE(it, got.end());
  EXPECT_FALSE(find_link(sock(), "ens3"));
  EXPECT_EQ(it->mac, wanted.mac);
  EXPECT_EQ(it->mtu, 1450u);
  ASSERT_EQ(it->addresses.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(it->addresses[i].address, wanted.addresses[i].address);
    EXPECT_EQ(it->addresses[i].prefix, wanted.addresses[i].prefix);
  }
  ASSERT_EQ(it->routes.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(it->routes[i].destination, wanted.routes[i].destination);
    EXPECT_EQ(it->routes[i].gateway, wanted.routes[i].gateway);
    EXPECT_EQ(it->routes[i].metric, wanted.routes[i].metric);
  }
  EXPECT_TRUE(get_link(sock(), "lo").up);

  auto ip = json("ip -j addr show dev eth0");
  ASSERT_EQ(ip.Size(), 1u);
  EXPECT_EQ(str(ip[0], "address"), "02:42:ac:11:00:02");
  EXPECT_EQ(num(ip[0], "mtu"), 1450);
  bool v4 = false;
  for (const auto& a : ip[0]["addr_info"].GetArray())
    if (str(a, "local") == "172.17.0.2" && num(a, "prefixlen") == 16) v4 = true;
  EXPECT_TRUE(v4);
  auto routes = json("ip -j route show default");
  ASSERT_EQ(routes.Size(), 1u);
  EXPECT_EQ(str(routes[0], "gateway"), "172.17.0.1");
  EXPECT_EQ(str(routes[0], "dev"), "eth0");
}

TEST_F(ConfigureTest, MissingLinkIsAnError) {
  InterfaceSnapshot wanted{"eth0", "02:00:00:00:00:99", 1500, {}, {}};
  try {
    configure_interface(sock(), wanted);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), ENODEV);
  }
}

}  // namespace
}  // namespace chrunc::netlink
