#include "netlink/socket.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "common/error.hpp"
#include "netlink/netns.hpp"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

namespace chrunc::netlink {
namespace {

constexpr size_t kReceiveBuffer = 64 * 1024;

// The extended-ack message after an nlmsgerr, if the kernel sent one.
std::string extack_message(const nlmsghdr* nlh) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nlh));
  size_t off = NLMSG_HDRLEN + sizeof(nlmsgerr);
  // Without NLM_F_CAPPED the kernel echoes the whole request after the error.
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += err->msg.nlmsg_len - NLMSG_HDRLEN;
  off = NLMSG_ALIGN(off);
  if (off >= nlh->nlmsg_len) return {};
  auto* base = reinterpret_cast<const std::byte*>(nlh);
  Attrs tlvs(std::span<const std::byte>(base + off, nlh->nlmsg_len - off));
  if (auto msg = tlvs.find(NLMSGERR_ATTR_MSG)) return msg->str();
  return {};
}

[[noreturn]] void throw_kernel_error(std::string_view what, int err, const std::string& ext) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  if (!ext.empty()) {
    message += ": ";
    message += ext;
  }
  throw Error(message, err);
}

}  // namespace

Socket::Socket()
    : fd_(check_syscall(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE),
                        "socket(AF_NETLINK, NETLINK_ROUTE)")) {
  int one = 1;
  // Best effort: older kernels lack extended acks.
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  check_syscall(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local),
                "bind(AF_NETLINK)");
  socklen_t len = sizeof local;
  check_syscall(::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&local), &len),
                "getsockname(AF_NETLINK)");
  portid_ = local.nl_pid;
  seq_ = static_cast<uint32_t>(::time(nullptr));
  set_timeout(std::chrono::seconds(10));
}

Socket Socket::in_netns(int netns_fd) {
  NetnsGuard guard(netns_fd);
  return Socket();
}

void Socket::set_timeout(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  check_syscall(::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv),
                "setsockopt(SO_RCVTIMEO)");
}

uint32_t Socket::send(Request& req, std::string_view what) {
  uint32_t seq = ++seq_;
  req.nlh().nlmsg_seq = seq;
  req.nlh().nlmsg_pid = 0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  auto bytes = req.bytes();
  ssize_t n;
  do {
    n = ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(std::string(what) + ": sendto");
  return seq;
}

std::vector<Message> Socket::receive(uint32_t seq, std::string_view what) {
  std::vector<Message> out;
  std::vector<std::byte> buf(kReceiveBuffer);
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr mh{};
    sockaddr_nl from{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = ::recvmsg(fd_.get(), &mh, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        throw_kernel_error(what, ETIMEDOUT, "no answer from the kernel");
      throw_errno(std::string(what) + ": recvmsg");
    }
    if (mh.msg_flags & MSG_TRUNC) throw_kernel_error(what, EMSGSIZE, "reply truncated");
    if (from.nl_pid != 0) continue;  // not from the kernel
    size_t len = static_cast<size_t>(n);
    for (auto* nlh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nlh, len);
         nlh = NLMSG_NEXT(nlh, len)) {
      if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid_) continue;  // stale answer
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr)))
          throw_kernel_error(what, EBADMSG, "short NLMSG_ERROR");
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nlh));
        if (err->error == 0) return out;  // the ack
        throw_kernel_error(what, -err->error, extack_message(nlh));
      }
      if (nlh->nlmsg_type == NLMSG_DONE) {
        // A dump can end in error too (errno as an int after the header).
        if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
          int e = *static_cast<const int*>(NLMSG_DATA(nlh));
          if (e < 0) throw_kernel_error(what, -e, extack_message(nlh));
        }
        return out;
      }
      if (nlh->nlmsg_type == NLMSG_NOOP) continue;
      out.emplace_back(nlh);
    }
  }
}

std::vector<Message> Socket::request(Request& req, std::string_view what) {
  req.nlh().nlmsg_flags |= NLM_F_ACK;
  uint32_t seq = send(req, what);
  return receive(seq, what);
}

std::vector<Message> Socket::dump(Request& req, std::string_view what) {
  req.nlh().nlmsg_flags |= NLM_F_DUMP;
  // The kernel flags a dump that changed while it was being sent
  // (NLM_F_DUMP_INTR); ask again a few times before giving up.
  for (int attempt = 0;; ++attempt) {
    uint32_t seq = send(req, what);
    auto messages = receive(seq, what);
    bool interrupted = false;
    for (const auto& m : messages) interrupted |= (m.flags() & NLM_F_DUMP_INTR) != 0;
    if (!interrupted) return messages;
    if (attempt == 4) throw_kernel_error(what, EAGAIN, "dump kept changing while read");
  }
}

}  // namespace chrunc::netlink
