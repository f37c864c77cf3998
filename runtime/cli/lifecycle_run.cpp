// `run`: create + start; in the foreground, wait for the monitor (our child),
// forwarding the signals we get to it (it forwards them to the container),
// exit with its exit code and delete the container unless --keep.
#include <signal.h>
#include <sys/wait.h>

#include "common/error.hpp"
#include "common/log.hpp"
#include "runtime/cli/lifecycle_common.hpp"

namespace chrunc::runtime {
namespace {

constexpr int kForwarded[] = {SIGHUP,  SIGINT,  SIGQUIT,  SIGUSR1,
                              SIGUSR2, SIGTERM, SIGWINCH, SIGCONT};

int wait_forwarding(pid_t monitor) {
  sigset_t set, old;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &set, &old);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(monitor, &status, WNOHANG);
    if (r == monitor) break;
    if (r < 0 && errno != EINTR) throw_errno("waitpid");
    timespec tick{0, 200 * 1000 * 1000};
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    if (sig > 0 && sig != SIGCHLD) ::kill(monitor, sig);
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace

int run_container(const GlobalOptions& global, const RunOptions& options) {
  const std::string& id = options.create.id;
  pid_t monitor = create_with_monitor(global, options.create, !options.detach);
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
  int code = wait_forwarding(monitor);
  if (!options.keep) delete_container(global, id, true);
  return code;
}

}  // namespace chrunc::runtime
