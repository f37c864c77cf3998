#include "vmm/unix_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "common/error.hpp"

namespace chrunc::vmm {

UniqueFd try_connect_unix(const std::filesystem::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) throw Error("socket path too long: " + p);
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  UniqueFd fd(check_syscall(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN) return UniqueFd();
  throw_errno("connect " + p);
}

void send_all(int fd, const std::string& data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(what);
    }
    done += static_cast<size_t>(n);
  }
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno("poll");
    return r > 0;
  }
}

}  // namespace chrunc::vmm
