#pragma once
// Text forms of IP and MAC addresses, as rtnetlink carries them in bytes.

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chrunc::netlink {

struct InetAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  size_t size() const { return family == AF_INET6 ? 16 : 4; }
  const uint8_t* data() const { return bytes.data(); }
};

// "10.0.0.1" or "fd00::1"; throws chrunc::Error (EINVAL) otherwise.
InetAddress parse_ip(std::string_view text);
std::string format_ip(int family, std::span<const std::byte> bytes);

// "10.0.0.0/24" (a bare address gets the full prefix).
struct Cidr {
  InetAddress address;
  uint8_t prefix = 0;
};
Cidr parse_cidr(std::string_view text);

// "aa:bb:cc:dd:ee:ff"
std::array<uint8_t, 6> parse_mac(std::string_view text);
std::string format_mac(std::span<const std::byte> bytes);

}  // namespace chrunc::netlink
