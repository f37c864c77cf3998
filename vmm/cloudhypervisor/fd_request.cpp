#include "vmm/cloudhypervisor/fd_request.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/fd_passing.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::vmm::ch {
namespace {

// The descriptors ride on the first sendmsg; the rest of the request follows.
void send_all(int fd, const std::string& data, const std::vector<int>& fds,
              const std::string& what) {
  size_t sent = 0;
  while (sent < data.size()) {
    std::span<const int> attached;
    if (sent == 0) attached = fds;
    sent += send_with_fds(fd, std::span<const char>(data).subspan(sent), attached, what + ": send");
  }
}

// Reads until the headers and Content-Length bytes of body are in, or EOF.
std::string read_response(int fd, std::chrono::milliseconds timeout, const std::string& what) {
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t end = data.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      std::string head = data.substr(0, end);
      for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t at = head.find("content-length:");
      if (at != std::string::npos) length = std::strtoul(head.c_str() + at + 15, nullptr, 10);
      if (data.size() >= end + 4 + length) return data.substr(0, end + 4 + length);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw Error(what + ": no answer in time");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno(what + ": poll");
    if (r == 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(what + ": read");
    if (n == 0) {
      if (data.find("\r\n\r\n") != std::string::npos) return data;
      throw Error(what + ": connection closed without an answer");
    }
    data.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

FdResponse put_with_fds(const std::filesystem::path& api_socket, const std::string& endpoint,
                        const std::string& json_body, const std::vector<int>& fds,
                        std::chrono::milliseconds timeout) {
  const std::string what = "cloud-hypervisor " + endpoint;
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno(what + ": socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (api_socket.native().size() >= sizeof addr.sun_path)
    throw Error(what + ": socket path too long: " + api_socket.string());
  std::strncpy(addr.sun_path, api_socket.c_str(), sizeof addr.sun_path - 1);
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw_errno(what + ": connect " + api_socket.string());

  std::string request = "PUT /api/v1/" + endpoint +
                        " HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n"
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(json_body.size()) + "\r\n\r\n" + json_body;
  send_all(sock.get(), request, fds, what);
  std::string raw = read_response(sock.get(), timeout, what);

  FdResponse response;
  // "HTTP/1.1 204 No Content"
  size_t space = raw.find(' ');
  if (raw.rfind("HTTP/", 0) != 0 || space == std::string::npos)
    throw Error(what + ": malformed answer: " + raw.substr(0, 80));
  response.status = std::strtol(raw.c_str() + space + 1, nullptr, 10);
  response.body = raw.substr(raw.find("\r\n\r\n") + 4);
  if (response.status < 200 || response.status >= 300) {
    std::string text = response.body.substr(0, 300);
    for (auto& ch : text)
      if (ch == '\n' || ch == '\r') ch = ' ';
    throw Error(what + ": HTTP " + std::to_string(response.status) +
                (text.empty() ? "" : ": " + text));
  }
  return response;
}

}  // namespace chrunc::vmm::ch
