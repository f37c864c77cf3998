#include "runtime/relays/dns_exchange.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>

#include "agent/network/dns_wire.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class Exchange {
 public:
  Exchange(const std::string& server, uint16_t port, bool tcp, milliseconds timeout, int stop_fd)
      : where_("DNS " + server + ":" + std::to_string(port) + (tcp ? "/tcp" : "/udp")),
        deadline_(Clock::now() + timeout),
        timeout_(timeout),
        stop_fd_(stop_fd) {
    sockaddr_storage sa{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&sa);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&sa);
    if (::inet_pton(AF_INET, server.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      len = sizeof *v4;
    } else if (::inet_pton(AF_INET6, server.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(port);
      len = sizeof *v6;
    } else {
      throw Error(where_ + ": not an IP address", EINVAL);
    }
    fd_ = UniqueFd(
        ::socket(sa.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) throw_errno(where_ + ": socket");
    // UDP: connected, so only the server's datagrams arrive.
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS)
      throw_errno(where_ + ": connect");
  }

  // Waits until the socket is ready for `events`; throws on timeout or stop.
  void wait(short events) {
    for (;;) {
      pollfd fds[2] = {{fd_.get(), events, 0}, {stop_fd_, POLLIN, 0}};
      auto left = std::chrono::ceil<milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0)
        throw Error(where_ + ": no reply in " + std::to_string(timeout_.count()) + " ms",
                    ETIMEDOUT);
      int n = ::poll(fds, stop_fd_ >= 0 ? 2 : 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) throw_errno(where_ + ": poll");
      if (n > 0 && stop_fd_ >= 0 && fds[1].revents) throw Error(where_ + ": stopped", ECANCELED);
      if (n > 0 && fds[0].revents) return;
    }
  }

  void send_all(std::string_view data) {
    while (!data.empty()) {
      wait(POLLOUT);
      ssize_t put = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (put < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (put < 0) throw_errno(where_ + ": send");
      data.remove_prefix(static_cast<std::size_t>(put));
    }
  }

  // UDP: the first datagram that carries `id`.
  std::string receive_datagram(uint16_t id) {
    std::string buffer(agent::kDnsMaxMessage, '\0');
    for (;;) {
      wait(POLLIN);
      ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got < 0) throw_errno(where_ + ": recv");
      std::string_view reply(buffer.data(), static_cast<std::size_t>(got));
      if (reply.size() >= agent::kDnsHeaderSize && agent::dns_message_id(reply) == id)
        return std::string(reply);
    }
  }

  // TCP: one framed message.
  std::string receive_frame() {
    agent::TcpDnsReader reader;
    char buffer[4096];
    for (;;) {
      if (auto message = reader.next()) return *message;
      wait(POLLIN);
      ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got < 0) throw_errno(where_ + ": recv");
      if (got == 0) throw Error(where_ + ": connection closed before a reply", ECONNRESET);
      reader.feed(buffer, static_cast<std::size_t>(got));
    }
  }

 private:
  std::string where_;
  Clock::time_point deadline_;
  milliseconds timeout_;
  int stop_fd_;
  UniqueFd fd_;
};

}  // namespace

std::string dns_exchange(const std::string& server, uint16_t port, bool tcp, std::string_view query,
                         milliseconds timeout, int stop_fd) {
  if (query.size() < agent::kDnsHeaderSize || query.size() > agent::kDnsMaxMessage)
    throw Error("DNS query of " + std::to_string(query.size()) + " bytes", EINVAL);
  Exchange exchange(server, port, tcp, timeout, stop_fd);
  if (tcp) {
    exchange.send_all(agent::tcp_frame(query));
    return exchange.receive_frame();
  }
  exchange.send_all(query);
  return exchange.receive_datagram(agent::dns_message_id(query));
}

}  // namespace chrunc::runtime
