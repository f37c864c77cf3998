#include "runtime/cli/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/error.hpp"
#include "common/exec_args.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {
namespace {

struct Pipe {
  UniqueFd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Blocks SIGPIPE in this thread for its lifetime and discards one raised
// meanwhile: a hook that exits without reading its stdin turns our write into
// EPIPE (handled), not a signal that kills ch-runc. Only after the hook was
// spawned: a spawned child would inherit the mask.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlocked() {
    timespec zero{};
    while (::sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t set_{};
  sigset_t old_{};
};

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t nl = text.rfind('\n');
  if (nl != std::string::npos) text = text.substr(nl + 1);
  if (text.size() > 200) text = text.substr(0, 200);
  return text;
}

}  // namespace

void run_hook(const oci::Hook& hook, const std::string& state_json, const std::string& kind) {
  const std::string what = kind + " hook " + hook.path;
  Pipe in = make_pipe();
  Pipe out = make_pipe();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<std::string> env = hook.env;
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, hook.path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw_errno(what, rc);
  in.read.reset();
  out.write.reset();

  // The state on stdin; a hook that does not read it must not block us.
  ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  SigpipeBlocked no_sigpipe;
  size_t written = 0;
  std::string output;
  using Clock = std::chrono::steady_clock;
  const bool has_timeout = hook.timeout.has_value() && *hook.timeout > 0;
  const auto deadline = Clock::now() + std::chrono::seconds(has_timeout ? *hook.timeout : 0);
  bool timed_out = false;
  while (out.read) {
    pollfd fds[2] = {{out.read.get(), POLLIN, 0}, {in.write ? in.write.get() : -1, POLLOUT, 0}};
    int wait_ms = 100;
    int n = ::poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
      ssize_t w = ::write(in.write.get(), state_json.data() + written, state_json.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) in.write.reset();
      if (written >= state_json.size()) in.write.reset();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t r = ::read(out.read.get(), buf, sizeof buf);
      if (r <= 0) {
        out.read.reset();
      } else if (output.size() < 65536) {
        output.append(buf, static_cast<size_t>(r));
      }
    }
    if (has_timeout && Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
  }
  in.write.reset();
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, timed_out ? 0 : WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) throw_errno(what + ": waitpid");
    if (r == 0) {
      if (has_timeout && Clock::now() >= deadline) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (timed_out) throw Error(what + ": timed out after " + std::to_string(*hook.timeout) + " s");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  std::string line = last_line(output);
  throw Error(what + ": " + how + (line.empty() ? "" : ": " + line));
}

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
               const std::string& kind) {
  for (const auto& hook : hooks) run_hook(hook, state_json, kind);
}

void run_hooks_warn(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                    const std::string& kind) {
  for (const auto& hook : hooks) {
    try {
      run_hook(hook, state_json, kind);
    } catch (const Error& e) {
      log_warn(e.what());
    }
  }
}

}  // namespace chrunc::runtime
