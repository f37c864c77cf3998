#pragma once
// The guest side of the DNS relay (docs/networking.md, "Name resolution"):
// UDP and TCP sockets on port 53 of each loopback nameserver the host named,
// in the calling thread's network namespace (the VM's, which the container
// shares). One thread owns every socket: it hands each query to `forward`
// (with an id) and sends back what answer() delivers for that id.
// Bounded: at most max_in_flight queries wait for an answer (more are
// dropped), each for query_timeout; at most max_tcp_connections, each closed
// after tcp_idle_timeout without traffic.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/agent.pb.h"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

struct DnsListenerOptions {
  std::vector<std::string> addresses;  // each must be a loopback address
  uint16_t port = 53;                  // 0: any free port (tests; see bound_port)
  std::size_t max_in_flight = 128;
  std::chrono::milliseconds query_timeout{10000};
  std::size_t max_tcp_connections = 32;
  std::chrono::milliseconds tcp_idle_timeout{10000};
};

class DnsListener {
 public:
  // Called from the listener's thread for every query; must not block for long.
  using Forward = std::function<void(const v1::DnsQuery&)>;

  // Binds every socket (throws chrunc::Error "DNS relay: bind 127.0.0.11:53/udp: ...",
  // leaving nothing bound), then starts the thread.
  DnsListener(DnsListenerOptions options, Forward forward);
  ~DnsListener();  // stops the thread, closes every socket
  DnsListener(const DnsListener&) = delete;
  DnsListener& operator=(const DnsListener&) = delete;

  // Thread-safe: the reply to query `id` (empty: none came).
  void answer(uint64_t id, std::string message);

  // The UDP port of addresses[i] (= options.port unless that was 0); TCP
  // uses the same number.
  uint16_t bound_port(std::size_t i) const { return endpoints_.at(i).port; }

 private:
  struct Endpoint {
    std::string address;
    uint16_t port = 0;
    UniqueFd udp, tcp;
  };
  void run();

  DnsListenerOptions options_;
  Forward forward_;
  std::vector<Endpoint> endpoints_;
  UniqueFd wake_;  // eventfd: an answer queued, or stop
  std::mutex mutex_;
  std::deque<std::pair<uint64_t, std::string>> answers_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace chrunc::agent
