#include "netlink/inet.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include "common/error.hpp"

namespace chrunc::netlink {

InetAddress parse_ip(std::string_view text) {
  std::string s(text);
  InetAddress a;
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    throw Error("invalid IP address: '" + s + "'", EINVAL);
  }
  return a;
}

std::string format_ip(int family, std::span<const std::byte> bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  size_t need = family == AF_INET6 ? 16 : 4;
  if (bytes.size() < need || !::inet_ntop(family, bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

Cidr parse_cidr(std::string_view text) {
  Cidr c;
  auto slash = text.find('/');
  c.address = parse_ip(text.substr(0, slash));
  unsigned max = c.address.family == AF_INET ? 32 : 128;
  if (slash == std::string_view::npos) {
    c.prefix = static_cast<uint8_t>(max);
    return c;
  }
  auto p = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
  if (ec != std::errc() || end != p.data() + p.size() || p.empty() || prefix > max)
    throw Error("invalid prefix length in '" + std::string(text) + "'", EINVAL);
  c.prefix = static_cast<uint8_t>(prefix);
  return c;
}

std::array<uint8_t, 6> parse_mac(std::string_view text) {
  std::array<uint8_t, 6> mac{};
  size_t pos = 0;
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != ':') break;
      ++pos;
    }
    unsigned v = 0;
    auto [end, ec] =
        std::from_chars(text.data() + pos, text.data() + std::min(text.size(), pos + 2), v, 16);
    if (ec != std::errc() || end != text.data() + pos + 2) break;
    mac[i] = static_cast<uint8_t>(v);
    pos += 2;
    if (i == 5 && pos == text.size()) return mac;
  }
  throw Error("invalid MAC address: '" + std::string(text) + "'", EINVAL);
}

std::string format_mac(std::span<const std::byte> bytes) {
  std::string out;
  char b[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::snprintf(b, sizeof b, i ? ":%02x" : "%02x", static_cast<unsigned>(bytes[i]));
    out += b;
  }
  return out;
}

}  // namespace chrunc::netlink
