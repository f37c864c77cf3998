#include "runtime/cli/console_socket.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <cstring>

#include "common/error.hpp"
#include "common/fd_passing.hpp"
#include "runtime/monitor/control_socket.hpp"

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
  int fds[] = {fd};
  // runc's receivers read the slave's name as the payload; an empty name still
  // needs one byte to carry the descriptor.
  std::string_view payload = name.empty() ? std::string_view("\0", 1) : std::string_view(name);
  send_with_fds(sock.get(), payload, fds, "console socket " + socket_path.string());
}

UniqueFd receive_fd(int sock, std::string* payload) {
  char buf[4096];
  ReceivedData got = receive_with_fds(sock, buf, 4, "recvmsg");
  if (got.fds.empty()) throw Error("no file descriptor received");
  if (payload) payload->assign(buf, got.bytes);
  return std::move(got.fds.front());
}

}  // namespace chrunc::runtime
