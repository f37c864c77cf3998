#include <gtest/gtest.h>
#include <linux/neighbour.h>

#include <algorithm>

#include "common/error.hpp"
#include "netlink/address.hpp"
#include "netlink/link.hpp"
#include "netlink/neighbour.hpp"
#include "netlink/route.hpp"
#include "netlink/snapshot.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::num;
using test::str;

class AddressRouteTest : public test::NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    create_veth(sock(), "veth0", "veth1");
    set_link_up(sock(), "veth0");
    set_link_up(sock(), "veth1");
    index_ = link_index(sock(), "veth0");
  }
  bool has_address(int family, const std::string& addr, int prefix) {
    for (const auto& a : list_addresses(sock(), family, index_))
      if (a.address == addr && a.prefix == prefix && a.family == family) return true;
    return false;
  }
  bool ip_has_address(const std::string& addr, int prefix) {
    auto doc = json("ip -j addr show dev veth0");
    if (!doc.IsArray() || doc.Size() != 1) return false;
    for (const auto& a : doc[0]["addr_info"].GetArray())
      if (str(a, "local") == addr && num(a, "prefixlen") == prefix) return true;
    return false;
  }
  const Route* find_route(const std::vector<Route>& routes, const std::string& dst) {
    for (const auto& r : routes)
      if (r.destination == dst) return &r;
    return nullptr;
  }
  int index_ = 0;
};

TEST_F(AddressRouteTest, AddsListsAndDeletesAddresses) {
  add_address(sock(), "veth0", "10.9.0.1", 24);
  add_address(sock(), "veth0", "fd00:9::1", 64);
  EXPECT_TRUE(has_address(AF_INET, "10.9.0.1", 24));
  EXPECT_TRUE(has_address(AF_INET6, "fd00:9::1", 64));
  EXPECT_TRUE(ip_has_address("10.9.0.1", 24));
  EXPECT_TRUE(ip_has_address("fd00:9::1", 64));
  // The broadcast address is set as `ip addr add ... brd +` would.
  auto doc = json("ip -j addr show dev veth0");
  for (const auto& a : doc[0]["addr_info"].GetArray())
    if (str(a, "local") == "10.9.0.1") {
      EXPECT_EQ(str(a, "broadcast"), "10.9.0.255");
    }

  try {
    add_address(sock(), "veth0", "10.9.0.1", 24);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EEXIST);
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWADDR veth0 10.9.0.1/24: File exists", 0), 0u)
        << e.what();
  }

  delete_address(sock(), "veth0", "10.9.0.1", 24);
  delete_address(sock(), "veth0", "fd00:9::1", 64);
  EXPECT_FALSE(has_address(AF_INET, "10.9.0.1", 24));
  EXPECT_FALSE(has_address(AF_INET6, "fd00:9::1", 64));
  EXPECT_FALSE(ip_has_address("10.9.0.1", 24));
  EXPECT_FALSE(ip_has_address("fd00:9::1", 64));
  EXPECT_THROW(add_address(sock(), "veth0", "10.9.0.300", 24), Error);
}

TEST_F(AddressRouteTest, AddsListsAndDeletesRoutes) {
  add_address(sock(), "veth0", "10.9.0.1", 24);
  add_address(sock(), "veth0", "fd00:9::1", 64);
  add_route(sock(), Route{.destination = "", .gateway = "10.9.0.254", .device = "veth0"});
  add_route(sock(), Route{.destination = "10.20.0.0/16", .gateway = "10.9.0.254", .metric = 100});
  add_route(sock(), Route{.destination = "10.30.0.0/24", .device = "veth0"});
  add_route(sock(), Route{.destination = "fd00:30::/64", .device = "veth0", .metric = 50});

  auto v4 = list_routes(sock(), AF_INET);
  const Route* def = find_route(v4, "");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->gateway, "10.9.0.254");
  EXPECT_EQ(def->device, "veth0");
  EXPECT_EQ(def->oif, index_);
  const Route* r20 = find_route(v4, "10.20.0.0/16");
  ASSERT_TRUE(r20);
  EXPECT_EQ(r20->metric, 100u);
  EXPECT_EQ(r20->device, "veth0");
  const Route* r30 = find_route(v4, "10.30.0.0/24");
  ASSERT_TRUE(r30);
  EXPECT_EQ(r30->gateway, "");
  EXPECT_EQ(r30->scope, RT_SCOPE_LINK);
  const Route* connected = find_route(v4, "10.9.0.0/24");
  ASSERT_TRUE(connected);
  EXPECT_EQ(connected->protocol, RTPROT_KERNEL);
  auto v6 = list_routes(sock(), AF_INET6);
  const Route* r6 = find_route(v6, "fd00:30::/64");
  ASSERT_TRUE(r6);
  EXPECT_TRUE(r6->ipv6);
  EXPECT_EQ(r6->metric, 50u);
  EXPECT_EQ(list_routes(sock()).size(), v4.size() + v6.size());

  auto ip4 = json("ip -j route show");
  bool seen_default = false, seen20 = false;
  for (const auto& r : ip4.GetArray()) {
    if (str(r, "dst") == "default" && str(r, "gateway") == "10.9.0.254") seen_default = true;
    if (str(r, "dst") == "10.20.0.0/16" && num(r, "metric") == 100) seen20 = true;
  }
  EXPECT_TRUE(seen_default);
  EXPECT_TRUE(seen20);
  bool seen6 = false;
  auto doc1 = json("ip -j -6 route show");
  for (const auto& r : doc1.GetArray())
    if (str(r, "dst") == "fd00:30::/64" && num(r, "metric") == 50 && str(r, "dev") == "veth0")
      seen6 = true;
  EXPECT_TRUE(seen6);

  try {
    add_route(sock(), Route{.destination = "10.20.0.0/16", .gateway = "10.9.0.254", .metric = 100});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EEXIST);
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWROUTE 10.20.0.0/16 via 10.9.0.254 metric 100", 0),
              0u)
        << e.what();
  }

  delete_route(sock(), Route{.destination = "", .gateway = "10.9.0.254", .device = "veth0"});
  delete_route(sock(),
               Route{.destination = "10.20.0.0/16", .gateway = "10.9.0.254", .metric = 100});
  delete_route(sock(), Route{.destination = "fd00:30::/64", .device = "veth0", .metric = 50});
  v4 = list_routes(sock(), AF_INET);
  EXPECT_FALSE(find_route(v4, ""));
  EXPECT_FALSE(find_route(v4, "10.20.0.0/16"));
  EXPECT_TRUE(find_route(v4, "10.30.0.0/24"));
  EXPECT_FALSE(find_route(list_routes(sock(), AF_INET6), "fd00:30::/64"));
  auto doc2 = json("ip -j route show");
  for (const auto& r : doc2.GetArray()) EXPECT_NE(str(r, "dst"), "default");

  EXPECT_THROW(add_route(sock(), Route{.destination = "10.40.0.0/16"}), Error);
  EXPECT_THROW(add_route(sock(), Route{.destination = "10.40.0.0/16", .gateway = "fd00::1"}),
               Error);
}

TEST_F(AddressRouteTest, UnreachableGatewayFailsWithTheKernelsReason) {
  try {
    add_route(sock(), Route{.destination = "", .gateway = "192.168.77.1"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), ENETUNREACH) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWROUTE default via 192.168.77.1", 0), 0u);
  }
}

TEST_F(AddressRouteTest, AddsListsAndDeletesNeighbours) {
  add_address(sock(), "veth0", "10.9.0.1", 24);
  add_neighbour(sock(), Neighbour{"10.9.0.5", "02:00:00:00:00:05", "veth0"});
  add_neighbour(sock(), Neighbour{"fd00:9::5", "02:00:00:00:00:06", "veth0"});
  auto all = list_neighbours(sock(), AF_UNSPEC, index_);
  auto it = std::find_if(all.begin(), all.end(), [](auto& n) { return n.address == "10.9.0.5"; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->mac, "02:00:00:00:00:05");
  EXPECT_EQ(it->device, "veth0");
  EXPECT_EQ(it->state, NUD_PERMANENT);
  auto v6 = list_neighbours(sock(), AF_INET6);
  EXPECT_TRUE(std::any_of(v6.begin(), v6.end(), [](auto& n) {
    return n.address == "fd00:9::5" && n.mac == "02:00:00:00:00:06";
  }));

  bool seen = false;
  auto doc3 = json("ip -j neigh show dev veth0");
  for (const auto& n : doc3.GetArray())
    if (str(n, "dst") == "10.9.0.5" && str(n, "lladdr") == "02:00:00:00:00:05") seen = true;
  EXPECT_TRUE(seen);

  // Adding again replaces.
  add_neighbour(sock(), Neighbour{"10.9.0.5", "02:00:00:00:00:07", "veth0"});
  all = list_neighbours(sock(), AF_INET);
  it = std::find_if(all.begin(), all.end(), [](auto& n) { return n.address == "10.9.0.5"; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->mac, "02:00:00:00:00:07");

  delete_neighbour(sock(), Neighbour{"10.9.0.5", "", "veth0"});
  all = list_neighbours(sock(), AF_INET);
  EXPECT_TRUE(
      std::none_of(all.begin(), all.end(), [](auto& n) { return n.address == "10.9.0.5"; }));
  EXPECT_EQ(json("ip -j neigh show to 10.9.0.5").Size(), 0u);
}

TEST_F(AddressRouteTest, SnapshotsInterfacesWithAddressesAndRoutes) {
  set_mac(sock(), "veth0", "02:42:ac:11:00:02");
  set_mtu(sock(), "veth0", 1450);
  add_address(sock(), "veth0", "172.17.0.2", 16);
  add_address(sock(), "veth0", "fd00:17::2", 64);
  add_route(sock(), Route{.destination = "", .gateway = "172.17.0.1", .device = "veth0"});
  add_route(sock(), Route{.destination = "10.50.0.0/16", .device = "veth0", .metric = 7});

  auto snap = snapshot_interfaces(sock());
  ASSERT_EQ(snap.size(), 2u);  // veth0 and veth1, not lo
  auto it = std::find_if(snap.begin(), snap.end(), [](auto& s) { return s.name == "veth0"; });
  ASSERT_NE(it, snap.end());
  EXPECT_EQ(it->mac, "02:42:ac:11:00:02");
  EXPECT_EQ(it->mtu, 1450u);
  ASSERT_EQ(it->addresses.size(), 2u);  // no fe80:: link-local
  EXPECT_EQ(it->addresses[0].address, "172.17.0.2");
  EXPECT_EQ(it->addresses[0].prefix, 16);
  EXPECT_EQ(it->addresses[1].address, "fd00:17::2");
  EXPECT_EQ(it->addresses[1].prefix, 64);
  ASSERT_EQ(it->routes.size(), 2u);  // the kernel's 172.17.0.0/16 is left out
  EXPECT_EQ(it->routes[0].destination, "");
  EXPECT_EQ(it->routes[0].gateway, "172.17.0.1");
  EXPECT_EQ(it->routes[1].destination, "10.50.0.0/16");
  EXPECT_EQ(it->routes[1].metric, 7u);

  // The convenience overload reads the calling thread's netns.
  EXPECT_EQ(snapshot_interfaces().size(), 2u);
}

}  // namespace
}  // namespace chrunc::netlink
