// ch-runc-standin: the host stand-in of one process of a container's guest
// (see runtime/relays/stand_ins.hpp). The monitor execs it with the guest process's
// argv, so that the host's ps shows that command line, and with one fd: 3, a
// SOCK_SEQPACKET socket to the monitor. The protocol on it:
//   monitor -> stand-in, first: "<uid> <gid> <comm>": the host identity it
//     runs as (one unprivileged user for every stand-in, never root, never
//     the guest's ids) and the guest process's name (already bounded and
//     title-safe);
//   stand-in -> monitor: "ready", once it has dropped to that identity --
//     when it cannot, it exits instead (it never stays root);
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

// Becomes uid:gid with no supplementary groups (as root; a monitor that is
// not root sends its own ids, which need no privilege), no capabilities and
// no way to gain any. False when any step fails or the result is not exactly
// that: the caller then exits.
bool drop_to(uid_t uid, gid_t gid) {
  if (uid == 0 || gid == 0) return false;
  if (::geteuid() == 0 && ::setgroups(0, nullptr) != 0) return false;
  if (::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0) return false;
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  if (::getresuid(&ru, &eu, &su) != 0 || ::getresgid(&rg, &eg, &sg) != 0) return false;
  if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) return false;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return false;
  return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

// Takes the identity and name the monitor sends.
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
  ::prctl(PR_SET_NAME, text + name_at, 0, 0, 0);
  return drop_to(uid, gid);
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
