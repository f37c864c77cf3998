#pragma once
// A child process owned by one object: spawned with an explicit environment,
// only the fds asked for, and killed and reaped when the owner goes away.

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chrunc {

struct SpawnOptions {
  // argv[0] is the program; a name without '/' is looked up in the PATH
  // given in `env` (or /usr/sbin:/usr/bin:/sbin:/bin when env has none).
  std::vector<std::string> argv;
  // The file to exec when it is not argv[0] (argv[0] is then only the name
  // the program is shown with, as in ps).
  std::optional<std::filesystem::path> program;
  // The complete environment of the child ("KEY=value"). Default: PATH only.
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  // Fds of the parent to hand over: {parent fd, fd number in the child}.
  // Every other fd (except 0-2) is closed in the child.
  struct PassFd {
    int parent_fd;
    int child_fd;
  };
  std::vector<PassFd> fds;
  // stdin is /dev/null unless passed in `fds` as fd 0. stdout/stderr are
  // appended to these files when set (created 0600), else /dev/null,
  // unless `inherit_stdio` or passed in `fds`.
  std::optional<std::filesystem::path> stdout_file;
  std::optional<std::filesystem::path> stderr_file;
  bool inherit_stdio = false;
  // Signal the child gets when the spawning thread dies (0: none).
  int pdeathsig = SIGKILL;
  bool new_session = false;        // setsid()
  bool new_process_group = false;  // setpgid(0, 0) (ignored with new_session)
  std::optional<std::filesystem::path> cwd;
  // umask of the child (e.g. 077 so the sockets a VMM creates are private).
  std::optional<mode_t> umask;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  // SIGKILLs and reaps the child if it is still running.
  ~ChildProcess();

  // Forks and execs. Throws chrunc::Error naming the program and the cause
  // when the exec (or the set-up before it) fails in the child.
  static ChildProcess spawn(const SpawnOptions& options);

  pid_t pid() const noexcept { return pid_; }
  // True while the child has not been reaped; reaps it (non-blocking) when it exited.
  bool running();
  // Blocks until the child exits; returns its status as a shell would:
  // the exit code, or 128+N when killed by signal N. Repeated calls return the same.
  int wait();
  // Like wait(), giving up (nullopt) after `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // The status once reaped.
  std::optional<int> exit_status() const noexcept { return status_; }
  // Sends a signal when the child is still running (ignored otherwise).
  void signal(int signo);
  // SIGKILL and reap. No-op when not running.
  void kill_and_wait() noexcept;

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  bool try_reap(bool block);

  pid_t pid_ = 0;
  std::optional<int> status_;
};

}  // namespace chrunc
