#pragma once
// The pure parts of the DNS relay (docs/networking.md, "Name resolution"),
// shared by the monitor and the agent: which nameservers of a resolv.conf
// the relay serves, and DNS over TCP's two-byte length framing (RFC 1035
// 4.2.2). No sockets here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chrunc::agent {

// A DNS message is at least its 12-byte header, at most 65535 bytes.
constexpr std::size_t kDnsHeaderSize = 12;
constexpr std::size_t kDnsMaxMessage = 65535;
constexpr uint16_t kDnsPort = 53;

// Whether `address` is a numeric IPv4 address in 127.0.0.0/8 or the IPv6 ::1.
bool is_loopback_address(const std::string& address);

// The `nameserver` lines of a resolv.conf whose address is a loopback one,
// in order, without duplicates (comments, other options and other
// nameservers skipped). These are the addresses the relay serves.
std::vector<std::string> loopback_nameservers(std::string_view resolv_conf);

// `message` with its two-byte big-endian length in front. Throws
// chrunc::Error for an empty message or one longer than kDnsMaxMessage.
std::string tcp_frame(std::string_view message);

// Splits a TCP byte stream into DNS messages.
//   TcpDnsReader reader;
//   reader.feed(bytes, n);
//   while (auto message = reader.next()) handle(*message);
class TcpDnsReader {
 public:
  void feed(const char* data, std::size_t size) { buffer_.append(data, size); }
  // The next complete message, or nothing until more bytes arrive. Throws
  // chrunc::Error for a frame shorter than a DNS header (the caller closes
  // the connection).
  std::optional<std::string> next();
  // Bytes held that do not yet make a message.
  std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

// The 16-bit ID of a DNS message (its first two bytes); 0 when too short.
uint16_t dns_message_id(std::string_view message);

}  // namespace chrunc::agent
