#include "agent/network/dns_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "agent/network/dns_pending.hpp"
#include "agent/network/dns_wire.hpp"
#include "common/error.hpp"

namespace chrunc::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Where an answer goes: a UDP peer of endpoint `endpoint`, or TCP connection `connection`.
struct Sender {
  bool tcp = false;
  std::size_t endpoint = 0;
  sockaddr_storage peer{};
  socklen_t peer_len = 0;
  uint64_t connection = 0;
};

struct Connection {
  UniqueFd fd;
  std::size_t endpoint = 0;
  TcpDnsReader reader;
  std::string out;  // framed answers not yet written
  Clock::time_point last_activity;
};

socklen_t socket_address(const std::string& address, uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof(sockaddr_in6);
  }
  throw Error("DNS relay: '" + address + "' is not an IP address", EINVAL);
}

UniqueFd bound_socket(const std::string& address, uint16_t port, int type) {
  sockaddr_storage sa{};
  socklen_t len = socket_address(address, port, sa);
  const char* kind = type == SOCK_DGRAM ? "udp" : "tcp";
  std::string where = address + ":" + std::to_string(port) + "/" + kind;
  UniqueFd fd(::socket(sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("DNS relay: socket for " + where);
  int one = 1;
  if (type == SOCK_STREAM) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sa.ss_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
    throw_errno("DNS relay: bind " + where);
  if (type == SOCK_STREAM && ::listen(fd.get(), 16) != 0) throw_errno("DNS relay: listen " + where);
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw_errno("DNS relay: getsockname");
  return ntohs(sa.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&sa)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port);
}

int poll_timeout_ms(Clock::time_point now, std::optional<Clock::time_point> deadline) {
  milliseconds wait{1000};
  if (deadline)
    wait = std::clamp(std::chrono::ceil<milliseconds>(*deadline - now), milliseconds{0}, wait);
  return static_cast<int>(wait.count());
}

}  // namespace

DnsListener::DnsListener(DnsListenerOptions options, Forward forward)
    : options_(std::move(options)), forward_(std::move(forward)) {
  if (options_.addresses.empty()) throw Error("DNS relay: no address to serve", EINVAL);
  for (const auto& address : options_.addresses) {
    if (!is_loopback_address(address))
      throw Error("DNS relay: " + address + " is not a loopback address", EINVAL);
    Endpoint e;
    e.address = address;
    // Any port (0): the TCP socket takes the port the kernel gave the UDP
    // one, which another program may hold for TCP; then try another.
    for (int attempt = 0;; ++attempt) {
      e.udp = bound_socket(address, options_.port, SOCK_DGRAM);
      e.port = local_port(e.udp.get());
      try {
        e.tcp = bound_socket(address, e.port, SOCK_STREAM);
        break;
      } catch (const Error& err) {
        if (options_.port != 0 || err.sys_errno() != EADDRINUSE || attempt == 20) throw;
      }
    }
    endpoints_.push_back(std::move(e));
  }
  wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw_errno("DNS relay: eventfd");
  thread_ = std::thread([this] { run(); });
}

DnsListener::~DnsListener() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_.get(), &one, sizeof one);
  (void)ignored;
  if (thread_.joinable()) thread_.join();
}

void DnsListener::answer(uint64_t id, std::string message) {
  {
    std::lock_guard lock(mutex_);
    answers_.emplace_back(id, std::move(message));
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_.get(), &one, sizeof one);
  (void)ignored;
}

void DnsListener::run() {
  PendingQueries<Sender> pending(options_.max_in_flight, options_.query_timeout);
  std::map<uint64_t, Connection> connections;
  uint64_t next_connection = 1;
  std::string buffer(kDnsMaxMessage + 1, '\0');

  auto send_on = [&](const Sender& sender, std::string_view message) {
    auto id = pending.add(sender, Clock::now());
    if (!id) return;  // too many in flight: dropped, as an overloaded server would
    v1::DnsQuery query;
    query.set_query_id(*id);
    query.set_server(endpoints_[sender.endpoint].address);
    query.set_tcp(sender.tcp);
    query.set_message(std::string(message));
    forward_(query);
  };

  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wake_.get(), POLLIN, 0});
    for (const auto& e : endpoints_) {
      fds.push_back({e.udp.get(), POLLIN, 0});
      fds.push_back({e.tcp.get(), POLLIN, 0});
    }
    std::vector<uint64_t> polled;
    for (const auto& [id, c] : connections) {
      fds.push_back({c.fd.get(), static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
      polled.push_back(id);
    }
    if (::poll(fds.data(), fds.size(), poll_timeout_ms(Clock::now(), pending.next_deadline())) <
            0 &&
        errno != EINTR)
      return;
    const auto now = Clock::now();
    pending.expire(now);  // before answers: one that came too late is dropped

    if (fds[0].revents & POLLIN) {
      uint64_t count;
      ssize_t ignored = ::read(wake_.get(), &count, sizeof count);
      (void)ignored;
      std::deque<std::pair<uint64_t, std::string>> batch;
      {
        std::lock_guard lock(mutex_);
        if (stop_) return;
        batch.swap(answers_);
      }
      for (auto& [id, message] : batch) {
        auto sender = pending.take(id);
        if (!sender) continue;  // expired, or never asked
        if (!sender->tcp) {
          if (!message.empty())
            ::sendto(endpoints_[sender->endpoint].udp.get(), message.data(), message.size(),
                     MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&sender->peer),
                     sender->peer_len);
          continue;
        }
        auto it = connections.find(sender->connection);
        if (it == connections.end()) continue;
        if (message.empty() || message.size() > kDnsMaxMessage) {
          connections.erase(it);  // no answer: the client sees the connection close
          continue;
        }
        it->second.out += tcp_frame(message);
        it->second.last_activity = now;
      }
    }

    for (std::size_t i = 0; i < endpoints_.size(); ++i) {
      if (fds[1 + 2 * i].revents & POLLIN) {
        for (int n = 0; n < 32; ++n) {
          Sender sender;
          sender.endpoint = i;
          sender.peer_len = sizeof sender.peer;
          ssize_t got =
              ::recvfrom(endpoints_[i].udp.get(), buffer.data(), buffer.size(), MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&sender.peer), &sender.peer_len);
          if (got < 0) break;
          if (static_cast<std::size_t>(got) < kDnsHeaderSize ||
              static_cast<std::size_t>(got) > kDnsMaxMessage)
            continue;
          send_on(sender, std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        }
      }
      if (fds[2 + 2 * i].revents & POLLIN) {
        UniqueFd fd(
            ::accept4(endpoints_[i].tcp.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd && connections.size() < options_.max_tcp_connections) {
          Connection c;
          c.fd = std::move(fd);
          c.endpoint = i;
          c.last_activity = now;
          connections.emplace(next_connection++, std::move(c));
        }
      }
    }

    for (std::size_t k = 0; k < polled.size(); ++k) {
      const short revents = fds[1 + 2 * endpoints_.size() + k].revents;
      auto it = connections.find(polled[k]);
      if (it == connections.end() || revents == 0) continue;
      Connection& c = it->second;
      bool close = false;
      if (revents & POLLIN) {
        ssize_t got = ::read(c.fd.get(), buffer.data(), buffer.size());
        if (got <= 0) {
          close = got == 0 || (errno != EAGAIN && errno != EINTR);
        } else {
          c.last_activity = now;
          c.reader.feed(buffer.data(), static_cast<std::size_t>(got));
          try {
            while (auto message = c.reader.next()) {
              Sender sender;
              sender.tcp = true;
              sender.endpoint = c.endpoint;
              sender.connection = it->first;
              send_on(sender, *message);
            }
          } catch (const Error&) {
            close = true;  // not DNS
          }
        }
      } else if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        close = true;
      }
      if (!close && !c.out.empty() && (revents & POLLOUT)) {
        ssize_t put = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (put > 0) {
          c.out.erase(0, static_cast<std::size_t>(put));
          c.last_activity = now;
        } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
          close = true;
        }
      }
      if (close) connections.erase(it);
    }

    std::erase_if(connections, [&](const auto& entry) {
      return now - entry.second.last_activity > options_.tcp_idle_timeout;
    });
  }
}

}  // namespace chrunc::agent
