#include "agent/container/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& values) {
  std::vector<char*> out;
  for (auto& v : values) out.push_back(v.data());
  out.push_back(nullptr);
  return out;
}

long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void run_hook(const oci::Hook& hook, const std::string& state_json, const std::string& kind) {
  const std::string what = kind + " hook " + hook.path;
  int in[2], out[2];
  check_syscall(::pipe2(in, O_CLOEXEC), what + ": pipe");
  UniqueFd in_read(in[0]), in_write(in[1]);
  check_syscall(::pipe2(out, O_CLOEXEC), what + ": pipe");
  UniqueFd out_read(out[0]), out_write(out[1]);
  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<std::string> env = hook.env;
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno(what + ": fork");
  if (pid == 0) {
    ::dup2(in_read.get(), 0);
    ::dup2(out_write.get(), 1);
    ::dup2(out_write.get(), 2);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    dprintf(2, "exec: %s", std::strerror(errno));
    ::_exit(127);
  }
  in_read.reset();
  out_write.reset();
  // The hook may not read its stdin: a full pipe or EPIPE is not an error.
  // SIGPIPE is ignored only meanwhile (an ignored signal would survive execve).
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  ::fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
  ssize_t ignored = ::write(in_write.get(), state_json.data(), state_json.size());
  (void)ignored;
  in_write.reset();
  ::sigaction(SIGPIPE, &previous, nullptr);

  std::string output;
  long deadline = hook.timeout ? now_ms() + *hook.timeout * 1000L : -1;
  bool timed_out = false;
  for (;;) {
    int wait_ms = deadline < 0 ? -1 : static_cast<int>(std::max(0L, deadline - now_ms()));
    pollfd pfd{out_read.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    char buffer[1024];
    ssize_t n = ::read(out_read.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() < 4096) output.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  for (auto& c : output)
    if (c == '\n') c = ' ';
  std::string tail = output.empty() ? "" : " (" + output + ")";
  if (timed_out)
    throw Error(what + ": timed out after " + std::to_string(*hook.timeout) + " s" + tail);
  if (WIFSIGNALED(status))
    throw Error(what + ": killed by signal " + std::to_string(WTERMSIG(status)) + tail);
  if (WEXITSTATUS(status) != 0)
    throw Error(what + ": exit status " + std::to_string(WEXITSTATUS(status)) + tail);
}

}  // namespace

void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
               const std::string& kind) {
  for (const auto& hook : hooks) run_hook(hook, state_json, kind);
}

}  // namespace chrunc::container
