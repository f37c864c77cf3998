#include "runtime/pool/detached_spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "common/error.hpp"
#include "common/exec_args.hpp"

namespace chrunc::runtime::pool {
std::vector<std::string> helper_environment() {
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  if (const char* v = std::getenv("CHRUNC_CONFIG"))
    env.push_back(std::string("CHRUNC_CONFIG=") + v);
  return env;
}

pid_t spawn_detached(const std::string& program, std::vector<std::string> args,
                     std::vector<std::string> env) {
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw_errno("pipe");
  pid_t child = ::fork();
  if (child < 0) {
    ::close(report[0]);
    ::close(report[1]);
    throw_errno("fork");
  }
  if (child == 0) {
    // Only async-signal-safe calls from here on.
    ::setsid();
    pid_t grandchild = ::fork();
    if (grandchild == 0) {
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd < 0) ::_exit(127);
      for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
      ::close_range(3, ~0U, 0);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::signal(SIGPIPE, SIG_DFL);
      if (::chdir("/") != 0) ::_exit(127);
      ::umask(077);
      ::execve(program.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    ssize_t ignored = ::write(report[1], &grandchild, sizeof grandchild);
    (void)ignored;
    ::_exit(grandchild > 0 ? 0 : 1);
  }
  ::close(report[1]);
  pid_t pid = -1;
  ssize_t n;
  do {
    n = ::read(report[0], &pid, sizeof pid);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof pid) || pid <= 0)
    throw Error("spawn " + program + ": fork failed");
  return pid;
}

}  // namespace chrunc::runtime::pool
