#include "netlink/tc.hpp"

#include <gtest/gtest.h>
#include <linux/if_ether.h>

#include <algorithm>

#include "common/error.hpp"
#include "netlink/link.hpp"
#include "netlink/tap.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::num;
using test::str;

class TcTest : public test::NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    create_veth(sock(), "veth0", "veth1");
    tap_ = create_tap("tap0");
    veth_ = link_index(sock(), "veth0");
    tap_index_ = link_index(sock(), "tap0");
  }
  bool has_qdisc(int ifindex, const std::string& kind) {
    auto qs = list_qdiscs(sock(), ifindex);
    return std::any_of(qs.begin(), qs.end(), [&](auto& q) { return q.kind == kind; });
  }
  bool tc_has_qdisc(const std::string& dev, const std::string& kind) {
    auto doc1 = json("tc -j qdisc show dev " + dev);
    for (const auto& q : doc1.GetArray())
      if (str(q, "kind") == kind) return true;
    return false;
  }
  // The redirect target `tc -j filter show dev <dev> ingress` reports, or "".
  std::string tc_redirect_target(const std::string& dev) {
    auto doc2 = json("tc -j filter show dev " + dev + " ingress");
    for (const auto& f : doc2.GetArray()) {
      if (!f.HasMember("options") || !f["options"].HasMember("actions")) continue;
      for (const auto& a : f["options"]["actions"].GetArray())
        if (str(a, "kind") == "mirred" && str(a, "mirred_action") == "redirect" &&
            str(a, "direction") == "egress")
          return str(a, "to_dev");
    }
    return {};
  }
  std::optional<int> redirect_of(int ifindex) {
    for (const auto& f : list_ingress_filters(sock(), ifindex))
      if (f.redirect_to) return f.redirect_to;
    return std::nullopt;
  }

  UniqueFd tap_;
  int veth_ = 0;
  int tap_index_ = 0;
};

TEST_F(TcTest, AddsAndDeletesIngressQdisc) {
  add_ingress_qdisc(sock(), veth_);
  EXPECT_TRUE(has_qdisc(veth_, "ingress"));
  EXPECT_TRUE(tc_has_qdisc("veth0", "ingress"));
  auto qs = list_qdiscs(sock(), veth_);
  auto q = std::find_if(qs.begin(), qs.end(), [](auto& q) { return q.kind == "ingress"; });
  ASSERT_NE(q, qs.end());
  EXPECT_EQ(q->handle, 0xffff0000u);
  try {
    add_ingress_qdisc(sock(), veth_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EEXIST) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWQDISC ingress ifindex", 0), 0u) << e.what();
  }
  delete_ingress_qdisc(sock(), veth_);
  EXPECT_FALSE(has_qdisc(veth_, "ingress"));
  EXPECT_FALSE(tc_has_qdisc("veth0", "ingress"));
}

TEST_F(TcTest, AddsAndDeletesClsactQdisc) {
  add_ingress_qdisc(sock(), veth_, IngressQdisc::Clsact);
  EXPECT_TRUE(has_qdisc(veth_, "clsact"));
  EXPECT_TRUE(tc_has_qdisc("veth0", "clsact"));
  delete_ingress_qdisc(sock(), veth_, IngressQdisc::Clsact);
  EXPECT_FALSE(has_qdisc(veth_, "clsact"));
  EXPECT_FALSE(tc_has_qdisc("veth0", "clsact"));
}

TEST_F(TcTest, U32RedirectFilterBothWays) {
  add_ingress_qdisc(sock(), veth_);
  add_ingress_qdisc(sock(), tap_index_);
  add_redirect_filter(sock(), veth_, tap_index_);
  add_redirect_filter(sock(), tap_index_, veth_);

  auto filters = list_ingress_filters(sock(), veth_);
  auto f = std::find_if(filters.begin(), filters.end(), [](auto& f) { return f.redirect_to; });
  ASSERT_NE(f, filters.end());
  EXPECT_EQ(f->kind, "u32");
  EXPECT_EQ(*f->redirect_to, tap_index_);
  EXPECT_EQ(f->priority, kRedirectPriority);
  EXPECT_EQ(f->protocol, ETH_P_ALL);
  EXPECT_EQ(redirect_of(tap_index_), veth_);
  EXPECT_EQ(tc_redirect_target("veth0"), "tap0");
  EXPECT_EQ(tc_redirect_target("tap0"), "veth0");

  delete_ingress_filters(sock(), veth_, kRedirectPriority);
  delete_ingress_filters(sock(), tap_index_);
  EXPECT_TRUE(list_ingress_filters(sock(), veth_).empty());
  EXPECT_TRUE(list_ingress_filters(sock(), tap_index_).empty());
  EXPECT_EQ(json("tc -j filter show dev veth0 ingress").Size(), 0u);
  EXPECT_EQ(json("tc -j filter show dev tap0 ingress").Size(), 0u);
}

TEST_F(TcTest, RedirectFilterOnClsact) {
  add_ingress_qdisc(sock(), veth_, IngressQdisc::Clsact);
  add_redirect_filter(sock(), veth_, tap_index_);
  EXPECT_EQ(redirect_of(veth_), tap_index_);
  EXPECT_EQ(tc_redirect_target("veth0"), "tap0");
}

TEST_F(TcTest, MatchallRedirectFilterWhenTheKernelHasIt) {
  add_ingress_qdisc(sock(), veth_);
  try {
    add_redirect_filter(sock(), veth_, tap_index_, FilterKind::Matchall);
  } catch (const Error& e) {
    // Kernels without CONFIG_NET_CLS_MATCHALL (like this CI's) say so.
    ASSERT_EQ(e.sys_errno(), ENOENT) << e.what();
    EXPECT_NE(std::string(e.what()).find("TC classifier not found"), std::string::npos) << e.what();
    GTEST_SKIP() << "no matchall classifier: " << e.what();
  }
  auto filters = list_ingress_filters(sock(), veth_);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0].kind, "matchall");
  EXPECT_EQ(filters[0].redirect_to, tap_index_);
  EXPECT_EQ(tc_redirect_target("veth0"), "tap0");
}

TEST_F(TcTest, FilterWithoutQdiscFailsWithTheOperationNamed) {
  try {
    add_redirect_filter(sock(), veth_, tap_index_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.sys_errno(), 0);
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWTFILTER u32 ifindex", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace chrunc::netlink
