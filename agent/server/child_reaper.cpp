#include "agent/server/child_reaper.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

#include "common/error.hpp"

namespace chrunc::agent {

namespace {
std::atomic<int> g_wake_write{-1};

void on_sigchld(int) {
  int saved = errno;
  int fd = g_wake_write.load();
  if (fd >= 0) {
    char byte = 0;
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved;
}
}  // namespace

ChildReaper::ChildReaper() {
  int fds[2];
  check_syscall(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), "reaper: pipe2");
  wake_read_.reset(fds[0]);
  int old = g_wake_write.exchange(fds[1]);
  if (old >= 0) ::close(old);
  struct sigaction action {};
  action.sa_handler = on_sigchld;
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&action.sa_mask);
  check_syscall(::sigaction(SIGCHLD, &action, nullptr), "reaper: sigaction SIGCHLD");
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  thread_ = std::thread([this] { run(); });
}

ChildReaper::~ChildReaper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  on_sigchld(SIGCHLD);
  thread_.join();
  ::signal(SIGCHLD, SIG_DFL);
  int fd = g_wake_write.exchange(-1);
  if (fd >= 0) ::close(fd);
}

void ChildReaper::run() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    reap_all();
    // The timeout is a safety net only: SIGCHLD wakes us.
    pollfd pfd{wake_read_.get(), POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    char buf[64];
    while (::read(wake_read_.get(), buf, sizeof buf) > 0) {
    }
  }
}

void ChildReaper::reap_all() {
  while (true) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG | __WALL);
    if (pid <= 0) return;
    std::lock_guard lock(mutex_);
    statuses_[pid] = status;
    exited_.notify_all();
  }
}

int ChildReaper::wait_status(pid_t pid) {
  std::unique_lock lock(mutex_);
  exited_.wait(lock, [&] { return statuses_.count(pid) != 0; });
  int status = statuses_[pid];
  if (!watched_.count(pid)) statuses_.erase(pid);
  return status;
}

std::optional<int> ChildReaper::try_status(pid_t pid) {
  std::lock_guard lock(mutex_);
  auto it = statuses_.find(pid);
  if (it == statuses_.end()) return std::nullopt;
  return it->second;
}

void ChildReaper::watch(pid_t pid) {
  std::lock_guard lock(mutex_);
  watched_.insert(pid);
}

void ChildReaper::forget(pid_t pid) {
  std::lock_guard lock(mutex_);
  watched_.erase(pid);
  statuses_.erase(pid);
}

}  // namespace chrunc::agent
