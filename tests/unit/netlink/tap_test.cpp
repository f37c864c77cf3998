#include "netlink/tap.hpp"

#include <gtest/gtest.h>
#include <linux/if_arp.h>

#include "common/error.hpp"
#include "netlink/link.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::str;

using TapTest = test::NetnsTest;

std::string ip_tun_type(const std::string& name) {
  auto doc = json("ip -j -d link show dev " + name);
  if (!doc.IsArray() || doc.Size() != 1 || !doc[0].HasMember("linkinfo")) return {};
  const auto& info = doc[0]["linkinfo"];
  if (str(info, "info_kind") != "tun" || !info.HasMember("info_data")) return {};
  return str(info["info_data"], "type");
}

TEST_F(TapTest, FdOwnedTapGoesAwayWithItsFd) {
  UniqueFd fd = create_tap("tap0");
  ASSERT_TRUE(fd.valid());
  Link l = get_link(sock(), "tap0");
  EXPECT_EQ(l.kind, "tun");
  EXPECT_EQ(l.type, ARPHRD_ETHER);
  EXPECT_EQ(ip_tun_type("tap0"), "tap");
  fd.reset();
  EXPECT_FALSE(find_link(sock(), "tap0"));
}

TEST_F(TapTest, PersistentTapOutlivesItsFdUntilDeleted) {
  UniqueFd fd = create_tap("tap1", TapOptions{.vnet_hdr = true, .persistent = true});
  fd.reset();
  EXPECT_TRUE(find_link(sock(), "tap1"));
  EXPECT_EQ(ip_tun_type("tap1"), "tap");
  delete_link(sock(), "tap1");
  EXPECT_FALSE(find_link(sock(), "tap1"));
  EXPECT_EQ(json("ip -j link show").Size(), 1u);
}

TEST_F(TapTest, ExclusiveCreationRefusesAnExistingTap) {
  UniqueFd fd = create_tap("tap2");
  try {
    create_tap("tap2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EBUSY) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("TUNSETIFF tap2", 0), 0u);
  }
  EXPECT_THROW(create_tap("a-name-that-is-too-long"), Error);
}

}  // namespace
}  // namespace chrunc::netlink
