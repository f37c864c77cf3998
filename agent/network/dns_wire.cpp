#include "agent/network/dns_wire.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>

#include "common/error.hpp"

namespace chrunc::agent {

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

std::vector<std::string> loopback_nameservers(std::string_view resolv_conf) {
  std::vector<std::string> out;
  while (!resolv_conf.empty()) {
    auto end = resolv_conf.find('\n');
    std::string_view line = resolv_conf.substr(0, end);
    resolv_conf = end == std::string_view::npos ? std::string_view{} : resolv_conf.substr(end + 1);
    if (auto comment = line.find_first_of("#;"); comment != std::string_view::npos)
      line = line.substr(0, comment);
    auto word = [&line]() -> std::string_view {
      auto start = line.find_first_not_of(" \t\r");
      if (start == std::string_view::npos) return {};
      line = line.substr(start);
      auto stop = line.find_first_of(" \t\r");
      std::string_view w = line.substr(0, stop);
      line = stop == std::string_view::npos ? std::string_view{} : line.substr(stop);
      return w;
    };
    if (word() != "nameserver") continue;
    std::string address(word());
    if (!is_loopback_address(address)) continue;
    if (std::find(out.begin(), out.end(), address) == out.end()) out.push_back(address);
  }
  return out;
}

std::string tcp_frame(std::string_view message) {
  if (message.empty() || message.size() > kDnsMaxMessage)
    throw Error(
        "DNS over TCP: a message of " + std::to_string(message.size()) + " bytes cannot be framed",
        EMSGSIZE);
  std::string out;
  out.reserve(message.size() + 2);
  out.push_back(static_cast<char>(message.size() >> 8));
  out.push_back(static_cast<char>(message.size() & 0xff));
  out.append(message);
  return out;
}

std::optional<std::string> TcpDnsReader::next() {
  if (buffer_.size() < 2) return std::nullopt;
  std::size_t length =
      (static_cast<unsigned char>(buffer_[0]) << 8) | static_cast<unsigned char>(buffer_[1]);
  if (length < kDnsHeaderSize)
    throw Error("DNS over TCP: a frame of " + std::to_string(length) +
                    " bytes is shorter than a DNS header",
                EPROTO);
  if (buffer_.size() < length + 2) return std::nullopt;
  std::string message = buffer_.substr(2, length);
  buffer_.erase(0, length + 2);
  return message;
}

uint16_t dns_message_id(std::string_view message) {
  if (message.size() < 2) return 0;
  return static_cast<uint16_t>((static_cast<unsigned char>(message[0]) << 8) |
                               static_cast<unsigned char>(message[1]));
}

}  // namespace chrunc::agent
