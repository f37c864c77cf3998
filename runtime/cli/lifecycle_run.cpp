// `run`: create + start; in the foreground, wait for the monitor (our child),
// forwarding the signals we get to it (it forwards them to the container),
// exit with its exit code and delete the container unless --keep.
#include <signal.h>
#include <sys/wait.h>

#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "runtime/cli/lifecycle_common.hpp"

namespace chrunc::runtime {
namespace {

constexpr int kForwarded[] = {SIGHUP,  SIGINT,  SIGQUIT,  SIGUSR1,
                              SIGUSR2, SIGTERM, SIGWINCH, SIGCONT};

// The forwarded signals (and SIGCHLD) blocked from before `start` until the
// container's end: the container may print and the caller signal it at once
// (a USR1 that came between start and the wait killed `run` itself). Blocked
// signals wait, and are forwarded by wait_forwarding().
class ForwardedSignals {
 public:
  ForwardedSignals() {
    sigemptyset(&set_);
    for (int sig : kForwarded) sigaddset(&set_, sig);
    sigaddset(&set_, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  // What came after the container's end has no one to go to: taken, not
  // delivered by the unblocking (a TERM would end `run` before its delete).
  ~ForwardedSignals() {
    timespec none{0, 0};
    while (::sigtimedwait(&set_, nullptr, &none) > 0) {
    }
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;
  const sigset_t& set() const { return set_; }

 private:
  sigset_t set_{}, old_{};
};

int wait_forwarding(pid_t monitor, const ForwardedSignals& signals) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(monitor, &status, WNOHANG);
    if (r == monitor) break;
    if (r < 0 && errno != EINTR) throw_errno("waitpid");
    timespec tick{0, 200 * 1000 * 1000};
    int sig = ::sigtimedwait(&signals.set(), nullptr, &tick);
    if (sig > 0 && sig != SIGCHLD) ::kill(monitor, sig);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace

int run_container(const GlobalOptions& global, const RunOptions& options) {
  const std::string& id = options.create.id;
  pid_t monitor = create_with_monitor(global, options.create, !options.detach);
  // After create (the monitor it spawned must not inherit the mask), before
  // start; in the foreground only: with -d, `run` returns after start.
  std::optional<ForwardedSignals> signals;
  if (!options.detach) signals.emplace();
  try {
    start_container(global, id);
  } catch (...) {
    try {
      delete_container(global, id, true);
    } catch (const Error& e) {
      log_warn(e.what());
    }
    ::waitpid(monitor, nullptr, 0);
    throw;
  }
  if (options.detach) return 0;
  int code = wait_forwarding(monitor, *signals);
  if (!options.keep) delete_container(global, id, true);
  return code;
}

}  // namespace chrunc::runtime
