// ch-runc-standin: the host stand-in of one process of a container's guest
// (see runtime/stand_ins.hpp). The monitor execs it with the guest process's
// argv, so that the host's ps shows that command line, and with one fd: 3, a
// SOCK_SEQPACKET socket to the monitor. The protocol on it:
//   monitor -> stand-in, first: "<uid> <gid> <comm>" (the guest's ids and
//     name: the stand-in takes them, as far as it is allowed to);
//   stand-in -> monitor: "ready", once it has;
//   stand-in -> monitor: "signal <N>", for each signal it receives (all the
//     catchable ones are blocked and read from a signalfd);
//   monitor closes its end (or exits): the stand-in exits 0.
// libc only, so that a stand-in costs little memory.
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kControlFd = 3;

bool send_text(const char* text) {
  ssize_t n;
  do {
    n = ::send(kControlFd, text, std::strlen(text), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n >= 0;
}

// No capabilities left, even as uid 0, and none to gain by exec.
void drop_privileges() {
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  ::syscall(SYS_capset, &header, data);
}

// Takes the guest process's uid, gid and name. A monitor that is not root
// cannot change ids: the stand-in then keeps the monitor's.
bool take_identity() {
  char text[64] = {};
  ssize_t n;
  do {
    n = ::recv(kControlFd, text, sizeof text - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  unsigned uid = 0, gid = 0;
  int name_at = 0;
  if (std::sscanf(text, "%u %u %n", &uid, &gid, &name_at) != 2) return false;
  if (::setgroups(0, nullptr) == 0 && ::setresgid(gid, gid, gid) == 0)
    (void)::setresuid(uid, uid, uid);
  ::prctl(PR_SET_NAME, text + name_at, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  drop_privileges();
  return true;
}

}  // namespace

int main() {
  sigset_t all;
  ::sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  int signals = ::signalfd(-1, &all, SFD_CLOEXEC);
  if (signals < 0 || !take_identity() || !send_text("ready")) return 1;
  for (;;) {
    pollfd fds[2] = {{kControlFd, POLLIN, 0}, {signals, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents != 0) {
      char ignored[64];
      ssize_t n = ::recv(kControlFd, ignored, sizeof ignored, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return 0;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals, &info, sizeof info) != sizeof info) continue;
      char message[32];
      std::snprintf(message, sizeof message, "signal %u", info.ssi_signo);
      if (!send_text(message)) return 0;
    }
  }
}
