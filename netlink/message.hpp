#pragma once
// Building and parsing netlink messages: one request (nlmsghdr + family
// header + attributes, nested as deep as needed) and a view over received
// attributes.

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chrunc::netlink {

// A request under construction. The family header (ifinfomsg, ifaddrmsg,
// rtmsg, ndmsg, tcmsg) follows the nlmsghdr; attributes follow it.
class Request {
 public:
  Request(uint16_t type, uint16_t flags);

  // Appends the family header (zeroed) and returns it. Call once, first.
  // The reference is valid until the next put*/begin_nested (the buffer grows).
  template <typename T>
  T& header() {
    header_offset_ = buf_.size();
    append_zeroed(NLMSG_ALIGN(sizeof(T)));
    return *reinterpret_cast<T*>(buf_.data() + header_offset_);
  }
  template <typename T>
  T& existing_header() {
    return *reinterpret_cast<T*>(buf_.data() + header_offset_);
  }

  void put(uint16_t type, const void* data, size_t len);
  void put_u8(uint16_t type, uint8_t v) { put(type, &v, sizeof v); }
  void put_u16(uint16_t type, uint16_t v) { put(type, &v, sizeof v); }
  void put_u32(uint16_t type, uint32_t v) { put(type, &v, sizeof v); }
  void put_s32(uint16_t type, int32_t v) { put(type, &v, sizeof v); }
  void put_flag(uint16_t type) { put(type, nullptr, 0); }
  // A NUL-terminated string attribute.
  void put_string(uint16_t type, std::string_view s);
  template <typename T>
  void put_struct(uint16_t type, const T& v) {
    put(type, &v, sizeof v);
  }

  // Appends bytes that are not an attribute (padded to alignment), e.g.
  // the ifinfomsg that starts a veth peer's description.
  void put_raw(const void* data, size_t len);

  // Opens a nested attribute; returns a token for end_nested().
  size_t begin_nested(uint16_t type);
  void end_nested(size_t token);

  nlmsghdr& nlh() { return *reinterpret_cast<nlmsghdr*>(buf_.data()); }
  uint16_t type() const { return reinterpret_cast<const nlmsghdr*>(buf_.data())->nlmsg_type; }
  std::span<const std::byte> bytes() const { return {buf_.data(), buf_.size()}; }

 private:
  void append_zeroed(size_t n);
  void sync_len();

  std::vector<std::byte> buf_;
  size_t header_offset_ = NLMSG_HDRLEN;
};

// One attribute of a received message.
struct Attr {
  uint16_t type = 0;  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
  std::span<const std::byte> data;

  uint8_t u8() const;
  uint16_t u16() const;
  uint32_t u32() const;
  int32_t s32() const { return static_cast<int32_t>(u32()); }
  // Up to the first NUL.
  std::string str() const;
  template <typename T>
  std::optional<T> as_struct() const {
    if (data.size() < sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, data.data(), sizeof v);
    return v;
  }
};

// The attributes in one buffer (a message's tail or a nested attribute).
class Attrs {
 public:
  Attrs() = default;
  explicit Attrs(std::span<const std::byte> data);

  const std::vector<Attr>& all() const { return attrs_; }
  // The last attribute of this type, if any (a copy: it points into the
  // message, not into this Attrs, so it may outlive a temporary Attrs).
  std::optional<Attr> find(uint16_t type) const;
  // The nested attributes of `type` (empty when absent).
  Attrs nested(uint16_t type) const;

 private:
  std::vector<Attr> attrs_;
};

// One message received from the kernel.
class Message {
 public:
  Message(const nlmsghdr* nlh);

  uint16_t type() const { return type_; }
  uint16_t flags() const { return flags_; }
  // The family header, or nullopt when the message is too short.
  template <typename T>
  std::optional<T> header() const {
    if (payload_.size() < sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, payload_.data(), sizeof v);
    return v;
  }
  // The attributes after a family header of `header_len` bytes.
  Attrs attrs(size_t header_len) const;

 private:
  uint16_t type_;
  uint16_t flags_;
  std::vector<std::byte> payload_;
};

// "RTM_NEWLINK" and so on, for error messages.
std::string_view message_type_name(uint16_t type);

}  // namespace chrunc::netlink
