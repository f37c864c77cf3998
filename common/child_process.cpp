#include "common/child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What the child reports through the CLOEXEC pipe when it cannot exec.
struct ChildFailure {
  int err;
  char what[120];
};

std::string path_from_env(const std::vector<std::string>& env) {
  for (const auto& entry : env)
    if (entry.starts_with("PATH=")) return entry.substr(5);
  return kDefaultPath;
}

// The program to exec: argv[0] itself when it has a '/', else the first
// executable match in PATH (or argv[0] unchanged, so exec reports ENOENT).
std::string resolve_program(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = path_from_env(env);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

UniqueFd open_output(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0) throw_errno("open " + path.string());
  return UniqueFd(fd);
}

// Only async-signal-safe calls from here on (the parent may have threads).
[[noreturn]] void fail_in_child(int pipe_fd, const char* what, const char* arg) {
  ChildFailure failure{};
  failure.err = errno;
  size_t n = 0;
  for (const char* s : {what, " ", arg}) {
    while (s && *s && n + 1 < sizeof failure.what) failure.what[n++] = *s++;
  }
  failure.what[n] = '\0';
  ssize_t ignored = ::write(pipe_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

struct ChildPlan {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  int error_pipe;
  int stdin_fd, stdout_fd, stderr_fd;  // -1: keep the parent's
  std::vector<SpawnOptions::PassFd> fds;
  int pdeathsig;
  pid_t parent;
  bool new_session, new_process_group;
  int umask;  // -1: keep
};

[[noreturn]] void run_child(ChildPlan& plan) {
  int err_fd = plan.error_pipe;
  // Signal state: nothing blocked, every handler back to default.
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  }
  if (plan.pdeathsig != 0) {
    if (::prctl(PR_SET_PDEATHSIG, plan.pdeathsig) != 0)
      fail_in_child(err_fd, "prctl", "PR_SET_PDEATHSIG");
    if (::getppid() != plan.parent) ::_exit(127);  // the parent is already gone
  }
  if (plan.new_session) {
    if (::setsid() < 0) fail_in_child(err_fd, "setsid", "");
  } else if (plan.new_process_group) {
    if (::setpgid(0, 0) < 0) fail_in_child(err_fd, "setpgid", "");
  }

  // Move every source fd (and the error pipe) above all target numbers so
  // that the dup2s below cannot clobber one another.
  int floor = 3;
  for (const auto& f : plan.fds) floor = std::max(floor, f.child_fd + 1);
  auto lift = [&](int& fd) {
    if (fd < 0) return;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) fail_in_child(err_fd, "fcntl", "F_DUPFD_CLOEXEC");
    fd = moved;
  };
  lift(err_fd);
  lift(plan.stdin_fd);
  lift(plan.stdout_fd);
  lift(plan.stderr_fd);
  for (auto& f : plan.fds) lift(f.parent_fd);

  const int stdio[3] = {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    if (stdio[target] >= 0 && ::dup2(stdio[target], target) < 0)
      fail_in_child(err_fd, "dup2", "stdio");
  }
  for (const auto& f : plan.fds) {
    if (::dup2(f.parent_fd, f.child_fd) < 0) fail_in_child(err_fd, "dup2", "passed fd");
  }
  // Everything but stdio is close-on-exec, then the passed fds are reopened for exec.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    long max_fd = ::sysconf(_SC_OPEN_MAX);
    if (max_fd < 0 || max_fd > 1 << 20) max_fd = 1 << 20;
    for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (const auto& f : plan.fds) {
    if (f.child_fd >= 3 && ::fcntl(f.child_fd, F_SETFD, 0) < 0)
      fail_in_child(err_fd, "fcntl", "F_SETFD");
  }
  for (int target = 0; target < 3; ++target) ::fcntl(target, F_SETFD, 0);

  if (plan.umask >= 0) ::umask(static_cast<mode_t>(plan.umask));
  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) fail_in_child(err_fd, "chdir", plan.cwd);
  ::execve(plan.program, plan.argv, plan.envp);
  fail_in_child(err_fd, "exec", plan.program);
}

}  // namespace

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_wait();
    pid_ = std::exchange(other.pid_, 0);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_wait();
}

ChildProcess ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) throw Error("spawn: empty argv");
  const std::string program =
      options.program ? options.program->string() : resolve_program(options.argv[0], options.env);

  // Everything the child needs is prepared here, before fork.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& entry : options.env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  const std::string cwd = options.cwd ? options.cwd->string() : std::string();

  auto passed = [&](int child_fd) {
    return std::any_of(options.fds.begin(), options.fds.end(),
                       [&](const SpawnOptions::PassFd& f) { return f.child_fd == child_fd; });
  };
  UniqueFd dev_null;
  auto null_fd = [&]() {
    if (!dev_null) dev_null.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!dev_null) throw_errno("open /dev/null");
    return dev_null.get();
  };
  UniqueFd out_file, err_file;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  if (!passed(0) && !options.inherit_stdio) stdin_fd = null_fd();
  if (!passed(1)) {
    if (options.stdout_file) {
      out_file = open_output(*options.stdout_file);
      stdout_fd = out_file.get();
    } else if (!options.inherit_stdio) {
      stdout_fd = null_fd();
    }
  }
  if (!passed(2)) {
    if (options.stderr_file) {
      err_file = (options.stdout_file && *options.stdout_file == *options.stderr_file && out_file)
                     ? UniqueFd(::fcntl(out_file.get(), F_DUPFD_CLOEXEC, 3))
                     : open_output(*options.stderr_file);
      stderr_fd = err_file.get();
    } else if (!options.inherit_stdio) {
      stderr_fd = null_fd();
    }
  }

  int pipe_fds[2];
  check_syscall(::pipe2(pipe_fds, O_CLOEXEC), "pipe2");
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);

  ChildPlan plan{program.c_str(),
                 argv.data(),
                 envp.data(),
                 options.cwd ? cwd.c_str() : nullptr,
                 write_end.get(),
                 stdin_fd,
                 stdout_fd,
                 stderr_fd,
                 options.fds,
                 options.pdeathsig,
                 ::getpid(),
                 options.new_session,
                 options.new_process_group,
                 options.umask ? static_cast<int>(*options.umask) : -1};

  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork " + program);
  if (pid == 0) run_child(plan);

  ChildProcess child(pid);
  write_end.reset();
  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(read_end.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    child.wait();
    failure.what[sizeof failure.what - 1] = '\0';
    std::string message = failure.what;
    message += ": ";
    message += std::strerror(failure.err);
    throw Error(message, failure.err);
  }
  return child;
}

bool ChildProcess::try_reap(bool block) {
  if (pid_ <= 0 || status_) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  if (r < 0) {
    status_ = 255;  // reaped elsewhere (ECHILD): the status is lost
  } else if (WIFEXITED(status)) {
    status_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    status_ = 128 + WTERMSIG(status);
  } else {
    return false;
  }
  return true;
}

bool ChildProcess::running() {
  return pid_ > 0 && !try_reap(false);
}

int ChildProcess::wait() {
  if (pid_ <= 0) throw Error("wait: no child process");
  try_reap(true);
  return *status_;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) throw Error("wait: no child process");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!try_reap(false)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return status_;
}

void ChildProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

void ChildProcess::kill_and_wait() noexcept {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  try_reap(true);
}

}  // namespace chrunc
