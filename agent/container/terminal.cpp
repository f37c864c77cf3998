#include "agent/container/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {

void setup_terminal(SyncChannel& channel, const std::optional<oci::ConsoleSize>& size) {
  UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw_errno("open /dev/ptmx in the container");
  if (::unlockpt(master.get()) != 0) throw_errno("unlockpt");
  char name[128];
  if (::ptsname_r(master.get(), name, sizeof name) != 0) throw_errno("ptsname");
  UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw_errno(std::string("open pty ") + name);
  if (size && (size->width || size->height)) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(slave.get(), TIOCSWINSZ, &ws) != 0) throw_errno("set console size");
  }
  channel.send(SyncType::kPtyMaster, {}, master.get());
  master.reset();
  if (::ioctl(slave.get(), TIOCSCTTY, 0) != 0) throw_errno("make the pty the controlling terminal");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave.get(), fd) < 0) throw_errno("dup2 pty onto stdio");
}

}  // namespace chrunc::container
