// The host side of the DNS relay: which resolv.conf it reads, one exchange
// with a nameserver, the cap on queries in flight, and the whole path over a
// real gRPC connection to an in-process AgentService: a UDP/TCP client ->
// the agent's listener -> RelayDns -> the relay -> a nameserver -> back.
#include "runtime/relays/dns_relay.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/network/dns_wire.hpp"
#include "agent/server/agent_service.hpp"
#include "agent/server/grpc_server.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "runtime/monitor/in_flight_limit.hpp"
#include "runtime/relays/dns_exchange.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string query(uint16_t id, const std::string& name) {
  std::string q(agent::kDnsHeaderSize, '\0');
  q[0] = static_cast<char>(id >> 8);
  q[1] = static_cast<char>(id & 0xff);
  return q + name;
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// A nameserver on 127.0.0.1 (UDP and TCP, one port): answers query Q with
// Q + "=answer"; with `silent`, answers nothing; with `wrong_id_first`, a UDP
// reply with another ID goes out before the right one.
class FakeNameserver {
 public:
  FakeNameserver() {
    udp_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa = loopback(0);
    check_syscall(::bind(udp_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "bind");
    socklen_t len = sizeof sa;
    ::getsockname(udp_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    tcp_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    check_syscall(::bind(tcp_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "bind tcp");
    check_syscall(::listen(tcp_.get(), 8), "listen");
    stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeNameserver() {
    uint64_t one = 1;
    ssize_t ignored = ::write(stop_.get(), &one, sizeof one);
    (void)ignored;
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::atomic<bool> silent{false}, wrong_id_first{false};
  std::atomic<int> udp_queries{0}, tcp_queries{0};

 private:
  void serve() {
    for (;;) {
      pollfd fds[3] = {{stop_.get(), POLLIN, 0}, {udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
      ::poll(fds, 3, -1);
      if (fds[0].revents) return;
      if (fds[1].revents) {
        char buffer[65536];
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        ssize_t n = ::recvfrom(udp_.get(), buffer, sizeof buffer, 0,
                               reinterpret_cast<sockaddr*>(&peer), &len);
        ++udp_queries;
        if (n <= 0 || silent) continue;
        std::string reply = std::string(buffer, static_cast<std::size_t>(n)) + "=answer";
        if (wrong_id_first) {
          std::string other = reply;
          other[0] = static_cast<char>(~other[0]);
          ::sendto(udp_.get(), other.data(), other.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                   len);
        }
        ::sendto(udp_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                 len);
      }
      if (fds[2].revents) {
        UniqueFd c(::accept4(tcp_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        ++tcp_queries;
        agent::TcpDnsReader reader;
        char buffer[4096];
        std::optional<std::string> message;
        while (!(message = reader.next())) {
          ssize_t n = ::recv(c.get(), buffer, sizeof buffer, 0);
          if (n <= 0) break;
          reader.feed(buffer, static_cast<std::size_t>(n));
        }
        if (message && silent) {
          held_.push_back(std::move(c));  // open, and never a word
        } else if (message) {
          std::string reply = agent::tcp_frame(*message + "=answer");
          ::send(c.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
        }
      }
    }
  }
  UniqueFd udp_, tcp_, stop_;
  std::vector<UniqueFd> held_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(DnsExchange, UdpReplyWithTheQueryIdOnly) {
  FakeNameserver ns;
  ns.wrong_id_first = true;
  EXPECT_EQ(dns_exchange("127.0.0.1", ns.port(), false, query(0x1234, "a"), 2s),
            query(0x1234, "a") + "=answer");
}

TEST(DnsExchange, TcpFramedBothWays) {
  FakeNameserver ns;
  std::string big(5000, 'n');
  EXPECT_EQ(dns_exchange("127.0.0.1", ns.port(), true, query(9, big), 2s),
            query(9, big) + "=answer");
  EXPECT_EQ(ns.tcp_queries, 1);
}

TEST(DnsExchange, SilentServerTimesOutInBoundedTime) {
  FakeNameserver ns;
  ns.silent = true;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(dns_exchange("127.0.0.1", ns.port(), false, query(1, "a"), 300ms), Error);
  EXPECT_THROW(dns_exchange("127.0.0.1", ns.port(), true, query(1, "a"), 300ms), Error);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 550ms);  // both timeouts were waited out
  EXPECT_LT(took, 10s);    // a hang guard only: a loaded machine may be slow
}

TEST(DnsExchange, StopFdCutsItShort) {
  FakeNameserver ns;
  ns.silent = true;
  UniqueFd stop(::eventfd(1, EFD_CLOEXEC));
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(dns_exchange("127.0.0.1", ns.port(), false, query(1, "a"), 60s, stop.get()), Error);
  // Far below the 60 s timeout, and generous for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

TEST(DnsExchange, RefusesWhatIsNotADnsQueryOrAnAddress) {
  EXPECT_THROW(dns_exchange("127.0.0.1", 53, false, "short", 1s), Error);
  EXPECT_THROW(dns_exchange("resolver.example", 53, false, query(1, "a"), 1s), Error);
}

TEST(InFlightLimit, RefusesBeyondCapacityAndWaitsForIdle) {
  InFlightLimit limit(2);
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_FALSE(limit.try_acquire());
  EXPECT_FALSE(limit.wait_idle(50ms));
  std::thread([&] {
    std::this_thread::sleep_for(50ms);
    limit.release();
    limit.release();
  }).detach();
  EXPECT_TRUE(limit.wait_idle(2s));
  EXPECT_EQ(limit.count(), 0u);
}

class ResolvConfTest : public ::testing::Test {
 protected:
  ResolvConfTest()
      : dir_(fs::temp_directory_path() / ("dns-relay-test-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
  }
  ~ResolvConfTest() override { fs::remove_all(dir_); }
  oci::Spec spec_mounting(const std::string& source, const std::string& destination) {
    oci::Spec spec;
    oci::Mount proc, bind;
    proc.destination = "/proc";
    proc.type = proc.source = "proc";
    bind.destination = destination;
    bind.source = source;
    bind.options = {"rbind", "ro"};
    spec.mounts = {proc, bind};
    return spec;
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(ResolvConfTest, TheBindMountedFileIsRead) {
  write("resolv.conf", "nameserver 127.0.0.11\noptions ndots:0\n");
  EXPECT_EQ(relayed_nameservers(spec_mounting((dir_ / "resolv.conf").string(), "/etc/resolv.conf"),
                                "/nonexistent"),
            std::vector<std::string>{"127.0.0.11"});
  // A relative source is under the bundle; a non-normal destination is the same file.
  EXPECT_EQ(relayed_nameservers(spec_mounting("resolv.conf", "/etc//resolv.conf"), dir_),
            std::vector<std::string>{"127.0.0.11"});
}

TEST_F(ResolvConfTest, NothingWithoutMountOrLoopbackOrFile) {
  write("resolv.conf", "nameserver 10.213.2.1\n");
  EXPECT_TRUE(
      relayed_nameservers(spec_mounting((dir_ / "resolv.conf").string(), "/etc/resolv.conf"), dir_)
          .empty());
  write("hosts", "nameserver 127.0.0.11\n");
  EXPECT_TRUE(
      relayed_nameservers(spec_mounting((dir_ / "hosts").string(), "/etc/hosts"), dir_).empty());
  EXPECT_TRUE(
      relayed_nameservers(spec_mounting((dir_ / "missing").string(), "/etc/resolv.conf"), dir_)
          .empty());
}

// The whole relay: AgentService (listening on a free port of 127.0.0.1) and
// DnsRelay (asking FakeNameserver's port) joined by gRPC over a socketpair.
class RelayPathTest : public ::testing::Test {
 protected:
  RelayPathTest() {
    agent_port_ = free_port();
    agent::ServiceOptions options;
    options.mount_shares = false;
    options.place_devices = false;
    options.dns_port = agent_port_;
    service_ = std::make_unique<agent::AgentService>(std::move(options), reaper_);
    server_ = std::make_unique<agent::FdServer>(*service_);
    int pair[2];
    check_syscall(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), "socketpair");
    server_->add_connection(UniqueFd(pair[1]));
    client_ = std::make_unique<agent::AgentClient>(UniqueFd(pair[0]));
  }
  static uint16_t free_port() {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa = loopback(0);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);
  }
  DnsRelayOptions relay_options() {
    DnsRelayOptions o;
    o.port = nameserver_.port();
    o.udp_timeout = 500ms;
    o.tcp_timeout = 500ms;
    return o;
  }
  // A client of the agent's listener: the reply, or "" after 3 s.
  std::string ask(int type, const std::string& q) {
    UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    sockaddr_in sa = loopback(agent_port_);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return "";
    timeval tv{3, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out = type == SOCK_STREAM ? agent::tcp_frame(q) : q;
    ::send(fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
    char buffer[70000];
    agent::TcpDnsReader reader;
    for (;;) {
      ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return "";
      if (type == SOCK_DGRAM) return std::string(buffer, static_cast<std::size_t>(n));
      reader.feed(buffer, static_cast<std::size_t>(n));
      if (auto m = reader.next()) return *m;
    }
  }
  bool agent_listens() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa = loopback(agent_port_);
    return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }

  FakeNameserver nameserver_;
  uint16_t agent_port_ = 0;
  agent::ChildReaper reaper_;
  std::unique_ptr<agent::AgentService> service_;
  std::unique_ptr<agent::FdServer> server_;
  std::unique_ptr<agent::AgentClient> client_;
};

TEST_F(RelayPathTest, UdpAndTcpQueriesAreAnsweredByTheHostsNameserver) {
  EXPECT_FALSE(agent_listens());
  DnsRelay relay(client_->stub(), {"127.0.0.1"}, relay_options());
  EXPECT_TRUE(agent_listens());
  EXPECT_EQ(ask(SOCK_DGRAM, query(0x77, "web")), query(0x77, "web") + "=answer");
  EXPECT_EQ(ask(SOCK_STREAM, query(0x78, "db")), query(0x78, "db") + "=answer");
  EXPECT_EQ(nameserver_.udp_queries, 1);
  EXPECT_EQ(nameserver_.tcp_queries, 1);
}

TEST_F(RelayPathTest, ListenersCloseWhenTheRelayEnds) {
  {
    DnsRelay relay(client_->stub(), {"127.0.0.1"}, relay_options());
    EXPECT_TRUE(agent_listens());
  }
  bool closed = false;
  for (int i = 0; i < 500 && !closed; ++i) {  // up to 10 s: a hang guard
    closed = !agent_listens();
    if (!closed) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(closed);
}

// Sends the process's log to a file while it lives (back to stderr after).
class TestLog {
 public:
  TestLog()
      : path_(std::filesystem::temp_directory_path() /
              ("dns-relay-test-" + std::to_string(::getpid()) + ".log")) {
    configure_logging(path_.string(), "text", false);
  }
  ~TestLog() {
    configure_logging("", "text", false);
    std::filesystem::remove(path_);
  }
  std::string text() const {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path path_;
};

TEST_F(RelayPathTest, NoReplyUpstreamMeansNoReplyDownAndTeardownIsPrompt) {
  nameserver_.silent = true;
  DnsRelayOptions options = relay_options();
  // UDP waits far longer than the test's bound, so a teardown that waited for
  // the upstream exchange to time out instead of cutting it short would fail.
  options.udp_timeout = 60s;
  auto relay =
      std::make_unique<DnsRelay>(client_->stub(), std::vector<std::string>{"127.0.0.1"}, options);
  EXPECT_EQ(ask(SOCK_STREAM, query(1, "x")), "");  // closed once the host gave up (500 ms)
  std::string q = query(2, "y");
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa = loopback(agent_port_);
  ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  ::send(fd.get(), q.data(), q.size(), 0);
  // Until the host is waiting on the silent server (bounded: a hang guard).
  for (int i = 0; i < 500 && nameserver_.udp_queries == 0; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(nameserver_.udp_queries, 1);
  // The relay's teardown waits at most 2 s for its exchanges and warns when
  // they outlive that; the stop eventfd must end them at once. The warning,
  // not the time taken, tells (a loaded machine may be slow).
  TestLog log;
  auto start = std::chrono::steady_clock::now();
  relay.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);  // a hang guard, far below 60 s
  EXPECT_EQ(log.text().find("queries still running at teardown"), std::string::npos) << log.text();
}

TEST_F(RelayPathTest, AgentRefusalIsAnErrorNamingTheAddress) {
  try {
    DnsRelay relay(client_->stub(), {"10.1.2.3"}, relay_options());
    ADD_FAILURE() << "a non-loopback address was served";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("10.1.2.3 is not a loopback address"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace chrunc::runtime
