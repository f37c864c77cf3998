#include "http_test_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "common/error.hpp"

namespace chrunc::vmm::test {

HttpTestServer::HttpTestServer(std::filesystem::path socket, Handler handler)
    : socket_(std::move(socket)), handler_(std::move(handler)) {
  listen_fd_.reset(check_syscall(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_.c_str(), sizeof addr.sun_path - 1);
  ::unlink(socket_.c_str());
  check_syscall(::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind");
  check_syscall(::listen(listen_fd_.get(), 16), "listen");
  int p[2];
  check_syscall(::pipe2(p, O_CLOEXEC), "pipe2");
  stop_read_.reset(p[0]);
  stop_write_.reset(p[1]);
  thread_ = std::thread([this] { serve(); });
}

HttpTestServer::~HttpTestServer() {
  char c = 'x';
  (void)!::write(stop_write_.get(), &c, 1);
  thread_.join();
  ::unlink(socket_.c_str());
}

std::vector<HttpRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpTestServer::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn) handle(conn.get());
  }
}

void HttpTestServer::handle(int fd) {
  std::string data;
  std::vector<std::string> received_fds;
  char buf[4096];
  auto read_more = [&]() {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    iovec iov{buf, sizeof buf};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int got;
        std::memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof got);
        struct stat st {};
        ::fstat(got, &st);
        received_fds.push_back(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));
        ::close(got);
      }
    }
    data.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t header_end;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos)
    if (!read_more()) return;

  HttpRequest request;
  std::istringstream head(data.substr(0, header_end));
  std::string line;
  std::getline(head, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::istringstream request_line(line);
  request_line >> request.method >> request.target >> request.version;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers[name] = value;
  }
  request.chunked = request.headers.count("transfer-encoding") != 0;
  size_t length =
      request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
  while (data.size() < header_end + 4 + length)
    if (!read_more()) break;
  request.body = data.substr(header_end + 4, length);
  request.received_fds = received_fds;

  HttpReply reply = handler_(request);
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
  }
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Test\r\n";
  if (!reply.body.empty()) out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" +
         reply.body;
  (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace chrunc::vmm::test
