#include "netlink/tap_redirect.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "netlink/address.hpp"
#include "netlink/inet.hpp"
#include "netlink/link.hpp"
#include "netns_fixture.hpp"

namespace chrunc::netlink {
namespace {

using test::json;
using test::num;
using test::str;

class TapRedirectTest : public test::NetnsTest {
 protected:
  bool tc_qdisc(const std::string& dev, const std::string& kind) {
    auto doc1 = json("tc -j qdisc show dev " + dev);
    for (const auto& q : doc1.GetArray())
      if (str(q, "kind") == kind) return true;
    return false;
  }
  std::string tc_redirect_target(const std::string& dev) {
    auto doc2 = json("tc -j filter show dev " + dev + " ingress");
    for (const auto& f : doc2.GetArray()) {
      if (!f.HasMember("options") || !f["options"].HasMember("actions")) continue;
      for (const auto& a : f["options"]["actions"].GetArray())
        if (str(a, "kind") == "mirred" && str(a, "mirred_action") == "redirect")
          return str(a, "to_dev");
    }
    return {};
  }
};

TEST_F(TapRedirectTest, NamesTheTapAfterTheInterface) {
  EXPECT_EQ(tap_name_for("eth0"), "tap0_eth0");
  EXPECT_EQ(tap_name_for("averylonginterface"), "tap0_averylongi");
}

TEST_F(TapRedirectTest, SetsUpAndRemovesTapQdiscsAndFilters) {
  create_veth(sock(), "eth0", "peer0");
  set_mtu(sock(), "eth0", 1400);
  {
    TapRedirect redirect("eth0");
    EXPECT_EQ(redirect.tap_name(), "tap0_eth0");
    EXPECT_GE(redirect.tap_fd(), 0);
    Link tap = get_link(sock(), "tap0_eth0");
    EXPECT_EQ(tap.index, redirect.tap_index());
    EXPECT_EQ(tap.mtu, 1400u);
    EXPECT_TRUE(tap.up);
    EXPECT_TRUE(get_link(sock(), "eth0").up);
    EXPECT_EQ(redirect.interface_index(), link_index(sock(), "eth0"));

    auto ip = json("ip -j link show dev tap0_eth0");
    ASSERT_EQ(ip.Size(), 1u);
    EXPECT_EQ(num(ip[0], "mtu"), 1400);
    EXPECT_TRUE(tc_qdisc("eth0", "ingress"));
    EXPECT_TRUE(tc_qdisc("tap0_eth0", "ingress"));
    EXPECT_EQ(tc_redirect_target("eth0"), "tap0_eth0");
    EXPECT_EQ(tc_redirect_target("tap0_eth0"), "eth0");
  }
  EXPECT_FALSE(find_link(sock(), "tap0_eth0"));
  EXPECT_FALSE(tc_qdisc("eth0", "ingress"));
  EXPECT_EQ(json("tc -j filter show dev eth0 ingress").Size(), 0u);
  EXPECT_TRUE(find_link(sock(), "eth0"));
}

TEST_F(TapRedirectTest, PersistentTapWithClsactIsRemovedToo) {
  create_veth(sock(), "eth0", "peer0");
  {
    TapRedirect redirect(
        "eth0",
        TapRedirectOptions{.persistent = true, .vnet_hdr = true, .qdisc = IngressQdisc::Clsact});
    EXPECT_TRUE(tc_qdisc("eth0", "clsact"));
    EXPECT_TRUE(tc_qdisc("tap0_eth0", "clsact"));
    EXPECT_EQ(tc_redirect_target("eth0"), "tap0_eth0");
    EXPECT_EQ(tc_redirect_target("tap0_eth0"), "eth0");
  }
  EXPECT_FALSE(find_link(sock(), "tap0_eth0"));
  EXPECT_FALSE(tc_qdisc("eth0", "clsact"));
}

TEST_F(TapRedirectTest, FailureLeavesNothingBehind) {
  EXPECT_THROW(TapRedirect("nonexistent0"), Error);
  create_veth(sock(), "eth0", "peer0");
  // The second redirect of the same interface fails (the tap exists) and
  // must not take down the first one's tap, qdiscs or filters.
  TapRedirect first("eth0");
  EXPECT_THROW(TapRedirect("eth0"), Error);
  EXPECT_TRUE(find_link(sock(), "tap0_eth0"));
  EXPECT_EQ(tc_redirect_target("eth0"), "tap0_eth0");
  EXPECT_EQ(tc_redirect_target("tap0_eth0"), "eth0");
}

TEST_F(TapRedirectTest, RedirectsEveryInterfaceOfTheNetns) {
  create_veth(sock(), "eth0", "eth1");
  {
    auto all = redirect_all_interfaces();
    ASSERT_EQ(all.size(), 2u);
    std::vector<std::string> taps{all[0]->tap_name(), all[1]->tap_name()};
    std::sort(taps.begin(), taps.end());
    EXPECT_EQ(taps, (std::vector<std::string>{"tap0_eth0", "tap0_eth1"}));
    EXPECT_EQ(tc_redirect_target("eth0"), "tap0_eth0");
    EXPECT_EQ(tc_redirect_target("eth1"), "tap0_eth1");
    EXPECT_EQ(list_links(sock()).size(), 5u);  // lo, 2 veths, 2 taps
  }
  EXPECT_EQ(list_links(sock()).size(), 3u);
  EXPECT_FALSE(tc_qdisc("eth0", "ingress"));
  EXPECT_FALSE(tc_qdisc("eth1", "ingress"));
}

// ---- end to end: a frame written to the tap leaves through the interface ----

using Mac = std::array<uint8_t, 6>;

void put_eth(std::vector<uint8_t>& f, const Mac& dst, const Mac& src, uint16_t type) {
  f.insert(f.end(), dst.begin(), dst.end());
  f.insert(f.end(), src.begin(), src.end());
  f.push_back(static_cast<uint8_t>(type >> 8));
  f.push_back(static_cast<uint8_t>(type));
}

std::vector<uint8_t> arp_request(const Mac& src, const InetAddress& sip, const InetAddress& tip) {
  std::vector<uint8_t> f;
  put_eth(f, Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, src, ETH_P_ARP);
  const uint8_t hdr[] = {0, 1, 8, 0, 6, 4, 0, 1};  // ethernet, IPv4, request
  f.insert(f.end(), std::begin(hdr), std::end(hdr));
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), sip.bytes.begin(), sip.bytes.begin() + 4);
  f.insert(f.end(), 6, 0);
  f.insert(f.end(), tip.bytes.begin(), tip.bytes.begin() + 4);
  return f;
}

uint16_t checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n & 1) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::vector<uint8_t> icmp_echo(const Mac& dst, const Mac& src, const InetAddress& sip,
                               const InetAddress& dip, uint16_t id) {
  std::vector<uint8_t> f;
  put_eth(f, dst, src, ETH_P_IP);
  uint8_t ip[20] = {0x45, 0, 0, 28 + 8, 0, 1, 0x40, 0, 64, 1 /*ICMP*/, 0, 0};
  std::memcpy(ip + 12, sip.bytes.data(), 4);
  std::memcpy(ip + 16, dip.bytes.data(), 4);
  uint16_t c = checksum(ip, sizeof ip);
  ip[10] = static_cast<uint8_t>(c >> 8);
  ip[11] = static_cast<uint8_t>(c);
  const char payload[8] = {'c', 'h', '-', 'r', 'u', 'n', 'c', '!'};
  uint8_t icmp[8 + sizeof payload] = {
      8, 0, 0, 0, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 1};
  std::memcpy(icmp + 8, payload, sizeof payload);
  c = checksum(icmp, sizeof icmp);
  icmp[2] = static_cast<uint8_t>(c >> 8);
  icmp[3] = static_cast<uint8_t>(c);
  ip[3] = static_cast<uint8_t>(20 + sizeof icmp);
  c = 0;
  ip[10] = ip[11] = 0;
  c = checksum(ip, sizeof ip);
  ip[10] = static_cast<uint8_t>(c >> 8);
  ip[11] = static_cast<uint8_t>(c);
  f.insert(f.end(), std::begin(ip), std::end(ip));
  f.insert(f.end(), std::begin(icmp), std::end(icmp));
  return f;
}

// Reads frames from `fd` until `match` accepts one or `timeout` passes.
template <typename Match>
bool wait_for_frame(int fd, std::chrono::milliseconds timeout, Match match) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint8_t buf[2048];
  for (int i = 0; i < 1000; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) continue;
    if (match(buf, static_cast<size_t>(n))) return true;
  }
  return false;
}

Mac mac_of(Socket& sock, const std::string& name) {
  return parse_mac(get_link(sock, name).mac);
}

TEST_F(TapRedirectTest, FramesFlowBetweenTapAndThePeerNetns) {
  // "outside" plays the host end of the container's veth; this test's netns
  // is the container's netns, where the tap is made.
  UniqueFd outside = new_netns();
  Socket out_sock = Socket::in_netns(outside.get());
  create_veth(sock(), "eth0", "peer0", outside.get());
  add_address(sock(), "eth0", "10.77.0.2", 24);
  add_address(out_sock, "peer0", "10.77.0.1", 24);
  set_link_up(out_sock, "peer0");

  TapRedirect redirect("eth0");
  int tap = redirect.tap_fd();
  Mac guest_mac = mac_of(sock(), "eth0");  // the guest takes the interface's MAC
  Mac peer_mac = mac_of(out_sock, "peer0");
  InetAddress guest_ip = parse_ip("10.77.0.2"), peer_ip = parse_ip("10.77.0.1");

  // A packet socket on peer0 sees what leaves eth0.
  UniqueFd sniff;
  {
    NetnsGuard in(outside.get());
    sniff.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    ASSERT_TRUE(sniff.valid());
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ARP);
    sll.sll_ifindex = get_link(out_sock, "peer0").index;
    ASSERT_EQ(::bind(sniff.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll), 0);
  }

  // Carrier on both veth ends before sending.
  for (int i = 0; i < 100 && !get_link(sock(), "eth0").running; ++i) ::usleep(20000);

  // 1. ARP "who has 10.77.0.1" written by the "guest" into the tap.
  auto arp = arp_request(guest_mac, guest_ip, peer_ip);
  ASSERT_EQ(::write(tap, arp.data(), arp.size()), static_cast<ssize_t>(arp.size()));

  bool request_seen = wait_for_frame(sniff.get(), std::chrono::seconds(5), [&](auto* f, size_t n) {
    return n >= 42 && std::memcmp(f + 6, guest_mac.data(), 6) == 0 && f[21] == 1 &&
           std::memcmp(f + 38, peer_ip.bytes.data(), 4) == 0;
  });
  EXPECT_TRUE(request_seen) << "the ARP request did not reach the peer netns";

  bool reply_seen = wait_for_frame(tap, std::chrono::seconds(5), [&](auto* f, size_t n) {
    return n >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
           std::memcmp(f, guest_mac.data(), 6) == 0 &&
           std::memcmp(f + 22, peer_mac.data(), 6) == 0 &&
           std::memcmp(f + 28, peer_ip.bytes.data(), 4) == 0;
  });
  EXPECT_TRUE(reply_seen) << "no ARP reply came back through the tap";

  // 2. ICMP echo to 10.77.0.1; the reply comes back through the tap.
  auto ping = icmp_echo(peer_mac, guest_mac, guest_ip, peer_ip, 0x4242);
  ASSERT_EQ(::write(tap, ping.data(), ping.size()), static_cast<ssize_t>(ping.size()));
  bool pong = wait_for_frame(tap, std::chrono::seconds(5), [&](auto* f, size_t n) {
    return n >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 1 /*ICMP*/ &&
           std::memcmp(f + 26, peer_ip.bytes.data(), 4) == 0 && f[34] == 0 /*echo reply*/ &&
           f[38] == 0x42 && f[39] == 0x42;
  });
  EXPECT_TRUE(pong) << "no ICMP echo reply came back through the tap";
}

}  // namespace
}  // namespace chrunc::netlink
