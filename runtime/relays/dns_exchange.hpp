#pragma once
// One DNS exchange from the monitor's network namespace, for the DNS relay
// (docs/networking.md, "Name resolution"): sends `query` to server:port over
// UDP (the reply must come from there and carry the query's ID) or over TCP
// (framed with its length), and returns the reply without framing.
// Bounded by `timeout` and cut short when `stop_fd` becomes readable (-1:
// none). Throws chrunc::Error naming the server when no reply came.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace chrunc::runtime {

std::string dns_exchange(const std::string& server, uint16_t port, bool tcp, std::string_view query,
                         std::chrono::milliseconds timeout, int stop_fd = -1);

}  // namespace chrunc::runtime
