#pragma once
// The host side of the DNS relay (docs/networking.md, "Name resolution").
// When the resolv.conf the spec bind-mounts at /etc/resolv.conf names a
// loopback nameserver (docker's embedded DNS at 127.0.0.11 on user-defined
// networks, systemd-resolved's 127.0.0.53), the guest cannot reach it: the
// address lives in the loopback of the container's host-side network
// namespace. The monitor, which runs in that namespace, opens RelayDns; the
// agent listens on those addresses in the VM and sends each query up; the
// monitor asks the same address from its namespace and sends the reply down.
//
//   auto relay = start_dns_relay(spec, bundle, agent);  // null: nothing to relay
//   ...
//   relay.reset();  // before the VM goes: the stream ends, the guest listeners close
//
// Bounded: at most max_in_flight queries at once (more are dropped, as a busy
// server would), each for udp_timeout / tcp_timeout, on a thread of its own
// that stops at once when the relay is destroyed. The monitor only asks the
// addresses it named, whatever the guest sends.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.grpc.pb.h"
#include "agent/client/agent_client.hpp"
#include "oci/spec.hpp"

namespace chrunc::runtime {

struct DnsRelayOptions {
  std::size_t max_in_flight = 64;
  std::chrono::milliseconds udp_timeout{5000};
  std::chrono::milliseconds tcp_timeout{8000};
  std::chrono::milliseconds ready_timeout{10000};  // the agent binding its sockets
  uint16_t port = 53;                              // of the nameservers asked (tests change it)
};

// The loopback nameservers of the host file the spec bind-mounts at
// /etc/resolv.conf (a relative source is under `bundle`); none without such
// a mount or when it cannot be read.
std::vector<std::string> relayed_nameservers(const oci::Spec& spec,
                                             const std::filesystem::path& bundle);

class DnsRelay {
 public:
  // Opens the stream and waits until the agent has bound `addresses`;
  // throws chrunc::Error("DNS relay: ...") with the agent's reason.
  DnsRelay(agent::v1::Agent::Stub& stub, std::vector<std::string> addresses,
           DnsRelayOptions options = {});
  ~DnsRelay();  // ends the stream, stops the queries in flight
  DnsRelay(const DnsRelay&) = delete;
  DnsRelay& operator=(const DnsRelay&) = delete;

  // Queries dropped so far because max_in_flight were running, or invalid.
  uint64_t dropped() const;

 private:
  struct Shared;
  void read_queries();
  std::shared_ptr<Shared> shared_;
  std::thread reader_;
};

// The relay for the spec's loopback nameservers; null when there are none, or
// when it could not start (logged as a warning: the container runs, without
// those lookups).
std::unique_ptr<DnsRelay> start_dns_relay(const oci::Spec& spec,
                                          const std::filesystem::path& bundle,
                                          agent::AgentClient& agent);

}  // namespace chrunc::runtime
