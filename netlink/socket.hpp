#pragma once
// A NETLINK_ROUTE socket: requests acknowledged by the kernel, dumps, and
// errors that carry the kernel's errno and extended-ack message.
//
// A socket belongs to the network namespace it was opened in, whatever
// namespace the thread using it is in later.

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "netlink/message.hpp"

namespace chrunc::netlink {

class Socket {
 public:
  // Opens a NETLINK_ROUTE socket in the calling thread's network namespace.
  Socket();
  // Opens it in the network namespace `netns_fd` (the thread is left where it was).
  static Socket in_netns(int netns_fd);

  Socket(Socket&&) noexcept = default;
  Socket& operator=(Socket&&) noexcept = default;

  // Sends `req` with NLM_F_ACK and waits for the acknowledgement. On a
  // kernel error throws chrunc::Error "<what>: <strerror>[: <extack>]"
  // carrying the errno. `what` names the operation and object, e.g.
  // "RTM_NEWLINK veth0". Returns the messages answering it before the ack
  // (e.g. the link of an RTM_GETLINK; usually none).
  std::vector<Message> request(Request& req, std::string_view what);

  // Sends `req` with NLM_F_DUMP and returns every message of the reply
  // (asked again when the kernel says the dump was interrupted).
  std::vector<Message> dump(Request& req, std::string_view what);

  // How long one receive may wait before the request fails with ETIMEDOUT.
  void set_timeout(std::chrono::milliseconds timeout);

  int fd() const { return fd_.get(); }

 private:
  uint32_t send(Request& req, std::string_view what);
  // Receives the messages answering `seq` until the ack or NLMSG_DONE.
  std::vector<Message> receive(uint32_t seq, std::string_view what);

  UniqueFd fd_;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace chrunc::netlink
