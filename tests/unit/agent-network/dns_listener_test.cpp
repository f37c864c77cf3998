// The guest side of the DNS relay on real sockets (127.0.0.1, a free port):
// what a client sends comes out of `forward`, what answer() gets goes back.
#include "agent/network/dns_listener.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <condition_variable>
#include <mutex>

#include "agent/network/dns_wire.hpp"
#include "common/error.hpp"

namespace chrunc::agent {
namespace {

using namespace std::chrono_literals;

// A DNS-shaped query: id, then 10 more header bytes and a marker.
std::string query(uint16_t id, const std::string& marker) {
  std::string q(kDnsHeaderSize, '\0');
  q[0] = static_cast<char>(id >> 8);
  q[1] = static_cast<char>(id & 0xff);
  return q + marker;
}

class Forwarded {
 public:
  void push(const v1::DnsQuery& q) {
    std::lock_guard lock(mutex_);
    queries_.push_back(q);
    cv_.notify_all();
  }
  // The n-th query forwarded (0-based), waiting up to 5 s for it.
  v1::DnsQuery at(std::size_t n) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, 5s, [&] { return queries_.size() > n; }))
      throw Error("no query " + std::to_string(n) + " forwarded");
    return queries_[n];
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return queries_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<v1::DnsQuery> queries_;
};

UniqueFd client_socket(int type, uint16_t port) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check_syscall(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "connect");
  timeval tv{3, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string receive(int fd) {
  std::string buffer(70000, '\0');
  ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
  return n > 0 ? buffer.substr(0, static_cast<std::size_t>(n)) : std::string();
}

// Reads one framed message from a TCP client socket ("" when closed or silent 3 s).
std::string receive_frame(int fd, TcpDnsReader& reader) {
  char buffer[4096];
  for (;;) {
    if (auto m = reader.next()) return *m;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return "";
    reader.feed(buffer, static_cast<std::size_t>(n));
  }
}

DnsListenerOptions local_options() {
  DnsListenerOptions o;
  o.addresses = {"127.0.0.1"};
  o.port = 0;
  return o;
}

TEST(DnsListener, UdpQueryGoesUpAndItsAnswerComesBack) {
  Forwarded forwarded;
  DnsListener listener(local_options(), [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_DGRAM, listener.bound_port(0));
  std::string q = query(0x4242, "who is web?");
  ASSERT_EQ(::send(client.get(), q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
  v1::DnsQuery up = forwarded.at(0);
  EXPECT_NE(up.query_id(), 0u);
  EXPECT_EQ(up.server(), "127.0.0.1");
  EXPECT_FALSE(up.tcp());
  EXPECT_EQ(up.message(), q);
  listener.answer(up.query_id(), query(0x4242, "web is 10.213.1.2"));
  EXPECT_EQ(receive(client.get()), query(0x4242, "web is 10.213.1.2"));
}

TEST(DnsListener, AnswersForUnknownIdsOrEmptyOnesSendNothing) {
  Forwarded forwarded;
  DnsListener listener(local_options(), [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_DGRAM, listener.bound_port(0));
  std::string q = query(7, "q");
  ::send(client.get(), q.data(), q.size(), 0);
  auto up = forwarded.at(0);
  listener.answer(up.query_id() + 1000, query(7, "not yours"));
  listener.answer(up.query_id(), "");  // the host got no reply
  listener.answer(up.query_id(), query(7, "too late: taken already"));
  pollfd p{client.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 300), 0) << "a datagram arrived";
}

TEST(DnsListener, ShortDatagramsAreNotForwarded) {
  Forwarded forwarded;
  DnsListener listener(local_options(), [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_DGRAM, listener.bound_port(0));
  ::send(client.get(), "short", 5, 0);
  std::string q = query(1, "ok");
  ::send(client.get(), q.data(), q.size(), 0);
  EXPECT_EQ(forwarded.at(0).message(), q);
  EXPECT_EQ(forwarded.count(), 1u);
}

TEST(DnsListener, TcpPipelinedQueriesAnsweredOutOfOrderWithFraming) {
  Forwarded forwarded;
  DnsListener listener(local_options(), [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_STREAM, listener.bound_port(0));
  std::string both = tcp_frame(query(1, "first")) + tcp_frame(query(2, "second"));
  ASSERT_EQ(::send(client.get(), both.data(), both.size(), 0), static_cast<ssize_t>(both.size()));
  auto first = forwarded.at(0), second = forwarded.at(1);
  EXPECT_TRUE(first.tcp());
  EXPECT_EQ(first.message(), query(1, "first"));
  EXPECT_EQ(second.message(), query(2, "second"));
  std::string big(3000, 'z');
  listener.answer(second.query_id(), query(2, big));
  listener.answer(first.query_id(), query(1, "one"));
  TcpDnsReader reader;
  EXPECT_EQ(receive_frame(client.get(), reader), query(2, big));
  EXPECT_EQ(receive_frame(client.get(), reader), query(1, "one"));
}

TEST(DnsListener, TcpWithoutAnAnswerIsClosed) {
  Forwarded forwarded;
  DnsListener listener(local_options(), [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_STREAM, listener.bound_port(0));
  std::string q = tcp_frame(query(3, "q"));
  ::send(client.get(), q.data(), q.size(), 0);
  listener.answer(forwarded.at(0).query_id(), "");
  char c;
  EXPECT_EQ(::recv(client.get(), &c, 1, 0), 0);  // end of stream, not a 3 s timeout
}

TEST(DnsListener, QueriesBeyondTheCapAreDroppedUntilOneIsAnswered) {
  Forwarded forwarded;
  auto options = local_options();
  options.max_in_flight = 1;
  DnsListener listener(options, [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_DGRAM, listener.bound_port(0));
  std::string a = query(1, "a"), b = query(2, "b"), c = query(3, "c");
  ::send(client.get(), a.data(), a.size(), 0);
  auto up = forwarded.at(0);
  ::send(client.get(), b.data(), b.size(), 0);  // dropped: one in flight
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(forwarded.count(), 1u);
  listener.answer(up.query_id(), a);
  EXPECT_EQ(receive(client.get()), a);
  ::send(client.get(), c.data(), c.size(), 0);
  EXPECT_EQ(forwarded.at(1).message(), c);
}

TEST(DnsListener, ExpiredQueriesFreeTheirSlot) {
  Forwarded forwarded;
  auto options = local_options();
  options.max_in_flight = 1;
  options.query_timeout = 100ms;
  DnsListener listener(options, [&](const v1::DnsQuery& q) { forwarded.push(q); });
  UniqueFd client = client_socket(SOCK_DGRAM, listener.bound_port(0));
  std::string a = query(1, "a"), b = query(2, "b");
  ::send(client.get(), a.data(), a.size(), 0);
  auto up = forwarded.at(0);
  std::this_thread::sleep_for(400ms);
  listener.answer(up.query_id(), a);  // too late: nothing comes
  ::send(client.get(), b.data(), b.size(), 0);
  EXPECT_EQ(forwarded.at(1).message(), b);
  pollfd p{client.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 200), 0);
}

TEST(DnsListener, RefusesNonLoopbackAndBusyAddresses) {
  auto forward = [](const v1::DnsQuery&) {};
  DnsListenerOptions other = local_options();
  other.addresses = {"10.0.0.1"};
  EXPECT_THROW(DnsListener(other, forward), Error);
  DnsListener first(local_options(), forward);
  DnsListenerOptions same = local_options();
  same.port = first.bound_port(0);
  try {
    DnsListener second(same, forward);
    ADD_FAILURE() << "bound a busy port";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DNS relay: bind 127.0.0.1:"), std::string::npos)
        << e.what();
  }
}

TEST(DnsListener, SocketsCloseWithTheListener) {
  uint16_t port;
  {
    DnsListener listener(local_options(), [](const v1::DnsQuery&) {});
    port = listener.bound_port(0);
  }
  DnsListenerOptions again = local_options();
  again.port = port;
  EXPECT_NO_THROW(DnsListener(again, [](const v1::DnsQuery&) {}));
}

}  // namespace
}  // namespace chrunc::agent
