#include "runtime/cli/exec_forwarding.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {
namespace {

constexpr int kForwarded[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,   SIGTERM, SIGALRM,
                              SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGVTALRM, SIGPROF, SIGWINCH};

void send_size(MonitorClient& client, int tty) {
  winsize ws{};
  if (::ioctl(tty, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return;
  rapidjson::Document m(rapidjson::kObjectType);
  auto& a = m.GetAllocator();
  m.AddMember("command", "resize", a);
  m.AddMember("rows", ws.ws_row, a);
  m.AddMember("cols", ws.ws_col, a);
  client.send(m);
}

void send_signal(MonitorClient& client, int signo) {
  rapidjson::Document m(rapidjson::kObjectType);
  auto& a = m.GetAllocator();
  m.AddMember("command", "signal", a);
  m.AddMember("signal", signo, a);
  client.send(m);
}

}  // namespace

ForwardedSignals::ForwardedSignals() {
  sigemptyset(&set_);
  for (int sig : kForwarded) sigaddset(&set_, sig);
  if (::sigprocmask(SIG_BLOCK, &set_, &old_) != 0) throw_errno("sigprocmask");
}

ForwardedSignals::~ForwardedSignals() {
  ::sigprocmask(SIG_SETMASK, &old_, nullptr);
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (fd_ < 0 || ::tcgetattr(fd_, &old_) != 0) return;
  termios raw = old_;
  ::cfmakeraw(&raw);
  saved_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
  if (saved_) ::tcsetattr(fd_, TCSANOW, &old_);
}

int caller_terminal() {
  for (int fd = 0; fd < 3; ++fd)
    if (::isatty(fd)) return fd;
  return -1;
}

int wait_exec_forwarding(MonitorClient& client, const ForwardedSignals& signals, int tty,
                         bool initial_size) {
  UniqueFd sfd(::signalfd(-1, &signals.set(), SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sfd) throw_errno("signalfd");
  if (tty >= 0 && initial_size) send_size(client, tty);
  for (;;) {
    pollfd fds[2] = {{client.fd(), POLLIN, 0}, {sfd.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(sfd.get(), &info, sizeof info) == sizeof info) {
        int signo = static_cast<int>(info.ssi_signo);
        try {
          if (signo == SIGWINCH) {
            if (tty >= 0) send_size(client, tty);
          } else {
            send_signal(client, signo);
          }
        } catch (const Error& e) {
          log_debug(std::string("exec: forwarding signal: ") + e.what());
        }
      }
    }
    if (fds[0].revents != 0) {
      auto done = client.next();
      return done.HasMember("exit_code") && done["exit_code"].IsInt() ? done["exit_code"].GetInt()
                                                                      : 255;
    }
  }
}

}  // namespace chrunc::runtime
