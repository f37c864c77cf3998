#include "netlink/message.hpp"

#include <gtest/gtest.h>
#include <linux/if_link.h>

#include <cstring>

#include "common/error.hpp"
#include "netlink/inet.hpp"
#include "netlink/link.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

TEST(Request, BuildsNestedAttributesThatParseBack) {
  Request req(RTM_NEWLINK, NLM_F_CREATE);
  req.header<ifinfomsg>().ifi_index = 7;
  req.put_string(IFLA_IFNAME, "eth0");
  size_t info = req.begin_nested(IFLA_LINKINFO);
  req.put_string(IFLA_INFO_KIND, "veth");
  size_t data = req.begin_nested(IFLA_INFO_DATA);
  req.put_u32(42, 0xdeadbeef);
  req.end_nested(data);
  req.end_nested(info);
  req.put_u8(IFLA_OPERSTATE, 6);

  auto bytes = req.bytes();
  auto* nlh = reinterpret_cast<const nlmsghdr*>(bytes.data());
  EXPECT_EQ(nlh->nlmsg_len, bytes.size());
  EXPECT_EQ(nlh->nlmsg_len % 4, 0u);
  EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE);

  Message m(nlh);
  EXPECT_EQ(m.type(), RTM_NEWLINK);
  ASSERT_TRUE(m.header<ifinfomsg>());
  EXPECT_EQ(m.header<ifinfomsg>()->ifi_index, 7);
  Attrs attrs = m.attrs(sizeof(ifinfomsg));
  ASSERT_EQ(attrs.all().size(), 3u);
  EXPECT_EQ(attrs.find(IFLA_IFNAME)->str(), "eth0");
  EXPECT_EQ(attrs.find(IFLA_OPERSTATE)->u8(), 6);
  Attrs linkinfo = attrs.nested(IFLA_LINKINFO);
  EXPECT_EQ(linkinfo.find(IFLA_INFO_KIND)->str(), "veth");
  EXPECT_EQ(linkinfo.nested(IFLA_INFO_DATA).find(42)->u32(), 0xdeadbeef);
  EXPECT_FALSE(attrs.find(999));
  EXPECT_TRUE(attrs.nested(999).all().empty());
}

TEST(Attrs, StopsAtATruncatedAttribute) {
  std::byte buf[8] = {};
  uint16_t len = 40, type = 1;  // claims more than there is
  std::memcpy(buf, &len, 2);
  std::memcpy(buf + 2, &type, 2);
  EXPECT_TRUE(Attrs(std::span<const std::byte>(buf, sizeof buf)).all().empty());
}

TEST(Inet, ParsesAndFormatsAddresses) {
  EXPECT_EQ(parse_ip("10.1.2.3").family, AF_INET);
  EXPECT_EQ(parse_ip("fd00::1").family, AF_INET6);
  EXPECT_THROW(parse_ip("10.1.2"), Error);
  auto c = parse_cidr("10.0.0.0/8");
  EXPECT_EQ(c.prefix, 8);
  EXPECT_EQ(parse_cidr("fd00::1").prefix, 128);
  EXPECT_THROW(parse_cidr("10.0.0.0/33"), Error);
  EXPECT_THROW(parse_cidr("10.0.0.0/"), Error);
  auto mac = parse_mac("02:42:ac:11:00:02");
  EXPECT_EQ(mac[0], 0x02);
  EXPECT_EQ(mac[5], 0x02);
  EXPECT_EQ(format_mac(std::as_bytes(std::span(mac))), "02:42:ac:11:00:02");
  EXPECT_THROW(parse_mac("02:42:ac:11:00"), Error);
  EXPECT_THROW(parse_mac("02:42:ac:11:00:02:03"), Error);
  EXPECT_THROW(parse_mac("zz:42:ac:11:00:02"), Error);
  auto ip = parse_ip("fd00::abcd");
  EXPECT_EQ(format_ip(AF_INET6, std::as_bytes(std::span(ip.bytes))), "fd00::abcd");
}

using SocketTest = test::NetnsTest;

TEST_F(SocketTest, KernelErrorsNameTheOperationAndCarryErrno) {
  try {
    delete_link(sock(), "nonexistent0");
    FAIL() << "deleted a link that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), ENODEV);
    EXPECT_EQ(std::string(e.what()).rfind("RTM_DELLINK nonexistent0: No such device", 0), 0u)
        << e.what();
  }
}

TEST_F(SocketTest, ExtendedAckMessageIsIncluded) {
  Request req(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  req.header<ifinfomsg>();
  req.put_string(IFLA_IFNAME, "x0");
  size_t info = req.begin_nested(IFLA_LINKINFO);
  req.put_string(IFLA_INFO_KIND, "no-such-kind");
  req.end_nested(info);
  try {
    sock().request(req, "RTM_NEWLINK x0");
    FAIL() << "created a link of an unknown kind";
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EOPNOTSUPP);
    EXPECT_EQ(std::string(e.what()),
              "RTM_NEWLINK x0: Operation not supported: Unknown device type");
  }
}

TEST_F(SocketTest, SequentialRequestsAndDumpsStayInStep) {
  // Many round trips on one socket: each answer matches its request.
  for (int i = 0; i < 50; ++i) {
    auto links = list_links(sock());
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(get_link(sock(), "lo").index, links[0].index);
  }
}

TEST_F(SocketTest, SocketOpenedInAnotherNetnsStaysThere) {
  UniqueFd other = new_netns();
  Socket there = Socket::in_netns(other.get());
  create_veth(there, "only-there", "peer-there");
  EXPECT_TRUE(find_link(there, "only-there"));
  EXPECT_FALSE(find_link(sock(), "only-there"));
}

}  // namespace
}  // namespace chrunc::netlink
