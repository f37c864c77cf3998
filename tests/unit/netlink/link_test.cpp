#include "netlink/link.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_arp.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::num;
using test::str;

class LinkTest : public test::NetnsTest {
 protected:
  // The `ip -j -d link show dev <name>` object.
  rapidjson::Document ip_link(const std::string& name) {
    auto doc = json("ip -j -d link show dev " + name);
    if (!doc.IsArray() || doc.Size() != 1) {
      ADD_FAILURE() << "ip link show dev " << name << " found nothing";
      doc.SetObject();
      return doc;
    }
    rapidjson::Document one;
    one.CopyFrom(doc[0], one.GetAllocator());
    return one;
  }
  std::string ip_kind(const rapidjson::Value& l) {
    if (!l.HasMember("linkinfo")) return {};
    return str(l["linkinfo"], "info_kind");
  }
  bool ip_has_flag(const rapidjson::Value& l, const char* flag) {
    if (!l.HasMember("flags")) return false;
    for (const auto& f : l["flags"].GetArray())
      if (std::string(f.GetString()) == flag) return true;
    return false;
  }
};

TEST_F(LinkTest, ListsLoopbackLikeIp) {
  auto links = list_links(sock());
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].name, "lo");
  EXPECT_EQ(links[0].type, ARPHRD_LOOPBACK);
  auto l = ip_link("lo");
  EXPECT_EQ(num(l, "ifindex"), links[0].index);
  EXPECT_EQ(num(l, "mtu"), links[0].mtu);
  EXPECT_EQ(str(l, "address"), links[0].mac);
  EXPECT_FALSE(links[0].up);
}

TEST_F(LinkTest, CreatesVethPair) {
  create_veth(sock(), "veth0", "veth1");
  Link a = get_link(sock(), "veth0");
  Link b = get_link(sock(), "veth1");
  EXPECT_EQ(a.kind, "veth");
  EXPECT_EQ(b.kind, "veth");
  EXPECT_EQ(a.peer_index, b.index);
  EXPECT_EQ(b.peer_index, a.index);
  EXPECT_EQ(a.type, ARPHRD_ETHER);
  EXPECT_EQ(a.mac.size(), 17u);
  EXPECT_EQ(get_link(sock(), a.index).name, "veth0");
  EXPECT_EQ(list_links(sock()).size(), 3u);

  auto l = ip_link("veth0");
  EXPECT_EQ(ip_kind(l), "veth");
  EXPECT_EQ(str(l, "link"), "veth1");
  EXPECT_EQ(str(l, "address"), a.mac);
  EXPECT_EQ(num(l, "ifindex"), a.index);
}

TEST_F(LinkTest, CreatingAnExistingLinkFailsWithEexist) {
  create_veth(sock(), "veth0", "veth1");
  try {
    create_veth(sock(), "veth0", "veth2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EEXIST);
    EXPECT_EQ(std::string(e.what()).rfind("RTM_NEWLINK veth0", 0), 0u) << e.what();
  }
}

TEST_F(LinkTest, CreatesVethPeerInAnotherNetns) {
  UniqueFd other = new_netns();
  create_veth(sock(), "host0", "ctr0", other.get());
  EXPECT_TRUE(find_link(sock(), "host0"));
  EXPECT_FALSE(find_link(sock(), "ctr0"));
  Socket there = Socket::in_netns(other.get());
  Link peer = get_link(there, "ctr0");
  EXPECT_EQ(peer.kind, "veth");
  NetnsGuard in(other.get());
  EXPECT_EQ(ip_kind(ip_link("ctr0")), "veth");
}

TEST_F(LinkTest, GetMissingLinkThrowsEnodev) {
  EXPECT_FALSE(find_link(sock(), "nope0"));
  try {
    get_link(sock(), "nope0");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), ENODEV);
  }
  try {
    get_link(sock(), 4242);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), ENODEV);
    EXPECT_NE(std::string(e.what()).find("4242"), std::string::npos);
  }
}

TEST_F(LinkTest, DeletesLink) {
  create_veth(sock(), "veth0", "veth1");
  delete_link(sock(), "veth0");
  EXPECT_FALSE(find_link(sock(), "veth0"));
  EXPECT_FALSE(find_link(sock(), "veth1"));  // the pair goes together
  EXPECT_EQ(json("ip -j link show").Size(), 1u);
}

TEST_F(LinkTest, SetsUpDownMtuMacAndName) {
  create_veth(sock(), "veth0", "veth1");
  set_link_up(sock(), "veth0", true);
  set_link_up(sock(), "veth1", true);
  set_mtu(sock(), "veth0", 1400);
  set_mac(sock(), "veth0", "02:00:00:aa:bb:cc");
  Link l = get_link(sock(), "veth0");
  EXPECT_TRUE(l.up);
  EXPECT_EQ(l.mtu, 1400u);
  EXPECT_EQ(l.mac, "02:00:00:aa:bb:cc");
  auto ip = ip_link("veth0");
  EXPECT_TRUE(ip_has_flag(ip, "UP"));
  EXPECT_EQ(num(ip, "mtu"), 1400);
  EXPECT_EQ(str(ip, "address"), "02:00:00:aa:bb:cc");

  // Carrier comes once both ends are up; allow the kernel a moment.
  bool running = false;
  for (int i = 0; i < 50 && !running; ++i) {
    running = get_link(sock(), "veth0").running;
    if (!running) ::usleep(20000);
  }
  EXPECT_TRUE(running);

  set_link_up(sock(), "veth0", false);
  EXPECT_FALSE(get_link(sock(), "veth0").up);
  EXPECT_FALSE(ip_has_flag(ip_link("veth0"), "UP"));

  rename_link(sock(), "veth0", "eth7");
  EXPECT_FALSE(find_link(sock(), "veth0"));
  EXPECT_EQ(get_link(sock(), "eth7").index, l.index);
  EXPECT_EQ(num(ip_link("eth7"), "ifindex"), l.index);

  EXPECT_THROW(set_mac(sock(), "eth7", "not-a-mac"), Error);
  try {
    set_mtu(sock(), "eth7", 10);  // below the minimum
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EINVAL) << e.what();
  }
}

TEST_F(LinkTest, CreatesBridgeAndSetsMaster) {
  create_bridge(sock(), "br0");
  create_veth(sock(), "veth0", "veth1");
  EXPECT_EQ(get_link(sock(), "br0").kind, "bridge");
  EXPECT_EQ(ip_kind(ip_link("br0")), "bridge");

  set_master(sock(), "veth0", "br0");
  EXPECT_EQ(get_link(sock(), "veth0").master, get_link(sock(), "br0").index);
  EXPECT_EQ(str(ip_link("veth0"), "master"), "br0");

  set_master(sock(), "veth0", "");
  EXPECT_EQ(get_link(sock(), "veth0").master, 0);
  EXPECT_EQ(str(ip_link("veth0"), "master"), "");
}

TEST_F(LinkTest, MovesToNetnsByFd) {
  UniqueFd other = new_netns();
  create_veth(sock(), "veth0", "veth1");
  move_to_netns_fd(sock(), "veth1", other.get());
  EXPECT_FALSE(find_link(sock(), "veth1"));
  Socket there = Socket::in_netns(other.get());
  EXPECT_TRUE(find_link(there, "veth1"));
  NetnsGuard in(other.get());
  EXPECT_EQ(ip_kind(ip_link("veth1")), "veth");
}

TEST_F(LinkTest, MovesToNetnsOfPid) {
  int ready[2], release[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(release, O_CLOEXEC), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char c = 0;
    ::close(release[1]);
    ::close(ready[0]);
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    if (::write(ready[1], &c, 1) != 1) ::_exit(1);
    alarm(30);  // bounded even if the parent dies
    (void)::read(release[0], &c, 1);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(release[0]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);

  create_veth(sock(), "veth0", "veth1");
  move_to_netns_pid(sock(), "veth1", child);
  EXPECT_FALSE(find_link(sock(), "veth1"));
  {
    UniqueFd child_ns = open_netns_of_pid(child);
    Socket there = Socket::in_netns(child_ns.get());
    EXPECT_EQ(get_link(there, "veth1").kind, "veth");
  }
  ::close(release[1]);
  ::close(ready[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace chrunc::netlink
