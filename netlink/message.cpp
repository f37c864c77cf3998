#include "netlink/message.hpp"

#include <algorithm>

namespace chrunc::netlink {

Request::Request(uint16_t type, uint16_t flags) {
  append_zeroed(NLMSG_HDRLEN);
  nlh().nlmsg_type = type;
  nlh().nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
}

void Request::append_zeroed(size_t n) {
  buf_.resize(buf_.size() + n, std::byte{0});
  sync_len();
}

void Request::sync_len() {
  if (buf_.size() >= sizeof(nlmsghdr)) nlh().nlmsg_len = static_cast<uint32_t>(buf_.size());
}

void Request::put(uint16_t type, const void* data, size_t len) {
  size_t at = buf_.size();
  append_zeroed(RTA_SPACE(len));
  auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
  rta->rta_type = type;
  rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
  if (len > 0) std::memcpy(RTA_DATA(rta), data, len);
}

void Request::put_raw(const void* data, size_t len) {
  size_t at = buf_.size();
  append_zeroed(NLMSG_ALIGN(len));
  std::memcpy(buf_.data() + at, data, len);
}

void Request::put_string(uint16_t type, std::string_view s) {
  std::string copy(s);
  put(type, copy.c_str(), copy.size() + 1);
}

size_t Request::begin_nested(uint16_t type) {
  size_t at = buf_.size();
  put(type | NLA_F_NESTED, nullptr, 0);
  return at;
}

void Request::end_nested(size_t token) {
  auto* rta = reinterpret_cast<rtattr*>(buf_.data() + token);
  rta->rta_len = static_cast<uint16_t>(buf_.size() - token);
}

uint8_t Attr::u8() const {
  return data.empty() ? 0 : static_cast<uint8_t>(data[0]);
}

uint16_t Attr::u16() const {
  uint16_t v = 0;
  std::memcpy(&v, data.data(), std::min(sizeof v, data.size()));
  return v;
}

uint32_t Attr::u32() const {
  uint32_t v = 0;
  std::memcpy(&v, data.data(), std::min(sizeof v, data.size()));
  return v;
}

std::string Attr::str() const {
  const char* p = reinterpret_cast<const char*>(data.data());
  size_t n = 0;
  while (n < data.size() && p[n] != '\0') ++n;
  return std::string(p, n);
}

Attrs::Attrs(std::span<const std::byte> data) {
  size_t off = 0;
  while (off + sizeof(rtattr) <= data.size()) {
    rtattr rta;
    std::memcpy(&rta, data.data() + off, sizeof rta);
    if (rta.rta_len < sizeof(rtattr) || off + rta.rta_len > data.size()) break;
    attrs_.push_back(Attr{static_cast<uint16_t>(rta.rta_type & NLA_TYPE_MASK),
                          data.subspan(off + RTA_LENGTH(0), rta.rta_len - RTA_LENGTH(0))});
    off += RTA_ALIGN(rta.rta_len);
  }
}

std::optional<Attr> Attrs::find(uint16_t type) const {
  std::optional<Attr> found;
  for (const auto& a : attrs_)
    if (a.type == type) found = a;
  return found;
}

Attrs Attrs::nested(uint16_t type) const {
  auto a = find(type);
  return a ? Attrs(a->data) : Attrs();
}

Message::Message(const nlmsghdr* nlh)
    : type_(nlh->nlmsg_type),
      flags_(nlh->nlmsg_flags),
      payload_(reinterpret_cast<const std::byte*>(NLMSG_DATA(nlh)),
               reinterpret_cast<const std::byte*>(nlh) + nlh->nlmsg_len) {}

Attrs Message::attrs(size_t header_len) const {
  size_t off = NLMSG_ALIGN(header_len);
  if (off >= payload_.size()) return Attrs();
  return Attrs(std::span<const std::byte>(payload_).subspan(off));
}

std::string_view message_type_name(uint16_t type) {
  switch (type) {
    case RTM_NEWLINK:
      return "RTM_NEWLINK";
    case RTM_DELLINK:
      return "RTM_DELLINK";
    case RTM_GETLINK:
      return "RTM_GETLINK";
    case RTM_SETLINK:
      return "RTM_SETLINK";
    case RTM_NEWADDR:
      return "RTM_NEWADDR";
    case RTM_DELADDR:
      return "RTM_DELADDR";
    case RTM_GETADDR:
      return "RTM_GETADDR";
    case RTM_NEWROUTE:
      return "RTM_NEWROUTE";
    case RTM_DELROUTE:
      return "RTM_DELROUTE";
    case RTM_GETROUTE:
      return "RTM_GETROUTE";
    case RTM_NEWNEIGH:
      return "RTM_NEWNEIGH";
    case RTM_DELNEIGH:
      return "RTM_DELNEIGH";
    case RTM_GETNEIGH:
      return "RTM_GETNEIGH";
    case RTM_NEWQDISC:
      return "RTM_NEWQDISC";
    case RTM_DELQDISC:
      return "RTM_DELQDISC";
    case RTM_GETQDISC:
      return "RTM_GETQDISC";
    case RTM_NEWTFILTER:
      return "RTM_NEWTFILTER";
    case RTM_DELTFILTER:
      return "RTM_DELTFILTER";
    case RTM_GETTFILTER:
      return "RTM_GETTFILTER";
    default:
      return "RTM_?";
  }
}

}  // namespace chrunc::netlink
