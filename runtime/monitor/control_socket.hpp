#pragma once
// The wire format of <state dir>/monitor.sock (a unix stream socket, 0600):
// each message is a 4-byte little-endian length and that many bytes of JSON;
// file descriptors travel with SCM_RIGHTS on the first byte of a message.
// One request per connection; the monitor answers with one message (two for
// exec: {"ok":true,"pid":N} when the process started, then {"exit_code":N}).
// While an exec'd process runs, its client may send {"command":"signal",
// "signal":N} and {"command":"resize","rows":R,"cols":C} on that connection
// (no answer); closing it before the exit status came kills the process.
// Errors are answered as {"error":"<one line>"}.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::runtime {

struct ControlMessage {
  std::string json;
  std::vector<UniqueFd> fds;
};

inline constexpr size_t kMaxControlMessage = 4 << 20;
inline constexpr size_t kMaxControlFds = 8;

// Throws chrunc::Error on failure (EPIPE included).
void send_control_message(int sock, std::string_view json, const std::vector<int>& fds = {});
// nullopt on a clean end-of-file before a message starts. With a `timeout`,
// the whole message must arrive within it, else chrunc::Error with errno
// ETIMEDOUT ("monitor socket: no message within N s").
std::optional<ControlMessage> receive_control_message(int sock,
                                                      std::chrono::milliseconds timeout = {});

// A listening socket bound at `path` (removed first if stale), mode 0600.
UniqueFd listen_unix_socket(const std::filesystem::path& path);
// With a `timeout`, connecting (a listener that does not accept has a full
// backlog) and every later send on the socket give up after it (SO_SNDTIMEO:
// errno EAGAIN).
UniqueFd connect_unix_socket(const std::filesystem::path& path,
                             std::chrono::milliseconds timeout = {});
// True when the process at the other end of a connected unix socket runs as
// this process's uid or as root (SO_PEERCRED): the monitor serves nobody
// else, whatever the socket file's mode says.
bool peer_may_control(int sock);

}  // namespace chrunc::runtime
