#include "runtime/console_socket.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <cstring>

#include "common/error.hpp"
#include "runtime/control_socket.hpp"

namespace chrunc::runtime {

HostPty open_host_pty(unsigned rows, unsigned cols) {
  HostPty pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) throw_errno("posix_openpt");
  if (::grantpt(pty.master.get()) != 0) throw_errno("grantpt");
  if (::unlockpt(pty.master.get()) != 0) throw_errno("unlockpt");
  char name[64];
  if (::ptsname_r(pty.master.get(), name, sizeof name) != 0) throw_errno("ptsname");
  pty.slave_name = name;
  pty.slave = UniqueFd(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) throw_errno("open " + pty.slave_name);
  termios tio{};
  if (::tcgetattr(pty.slave.get(), &tio) != 0) throw_errno("tcgetattr " + pty.slave_name);
  ::cfmakeraw(&tio);
  if (::tcsetattr(pty.slave.get(), TCSANOW, &tio) != 0) throw_errno("tcsetattr " + pty.slave_name);
  if (rows > 0 && cols > 0) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    ::ioctl(pty.master.get(), TIOCSWINSZ, &ws);
  }
  return pty;
}

void send_fd_to_console_socket(const std::filesystem::path& socket_path, int fd,
                               const std::string& name) {
  UniqueFd sock;
  try {
    sock = connect_unix_socket(socket_path);
  } catch (const Error& e) {
    throw Error("console socket: " + std::string(e.what()), e.sys_errno());
  }
  iovec iov{const_cast<char*>(name.data()), name.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  ssize_t n;
  do {
    n = ::sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("console socket " + socket_path.string());
}

UniqueFd receive_fd(int sock, std::string* payload) {
  char buf[4096];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("recvmsg");
  UniqueFd fd;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int received;
      std::memcpy(&received, CMSG_DATA(c), sizeof received);
      fd.reset(received);
    }
  }
  if (!fd) throw Error("no file descriptor received");
  if (payload) payload->assign(buf, static_cast<size_t>(n));
  return fd;
}

}  // namespace chrunc::runtime
