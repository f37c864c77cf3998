#include "agent/container/child_setup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <exception>
#include <vector>

#include "common/error.hpp"

namespace chrunc::container {
namespace {

constexpr size_t kCloneStack = size_t{8} * 1024 * 1024;

int clone_trampoline(void* arg) {
  auto* body = static_cast<const std::function<int()>*>(arg);
  return (*body)();
}

int move_above_stdio(int fd) {
  if (fd < 0) return -1;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
  if (moved < 0) throw_errno("dup fd in the container process");
  return moved;
}

}  // namespace

void reset_child_process(SyncChannel& channel, const ChildStdio& stdio) {
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);

  int sync_fd = move_above_stdio(channel.fd());
  int in = move_above_stdio(stdio.in), out = move_above_stdio(stdio.out),
      err = move_above_stdio(stdio.err);
  std::vector<int> keep = {sync_fd, in, out, err};
  std::vector<int> to_close;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    int dir_fd = ::dirfd(dir);
    while (dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      int fd = std::atoi(entry->d_name);
      if (fd < 3 || fd == dir_fd) continue;
      bool kept = false;
      for (int k : keep) kept |= (k == fd);
      if (!kept) to_close.push_back(fd);
    }
    ::closedir(dir);
  }
  for (int fd : to_close) ::close(fd);
  (void)channel.release_without_close();
  channel = SyncChannel(UniqueFd(sync_fd));

  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const int sources[3] = {in, out, err};
  for (int target = 0; target < 3; ++target) {
    int source = sources[target] >= 0 ? sources[target] : null_fd;
    if (source < 0) continue;
    if (::dup2(source, target) < 0) throw_errno("dup2 stdio in the container process");
  }
  for (int fd : {in, out, err, null_fd})
    if (fd >= 0) ::close(fd);
}

pid_t clone_sibling(int flags, const std::function<int()>& body) {
  void* stack = ::mmap(nullptr, kCloneStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) throw_errno("mmap a stack for clone");
  char* top = static_cast<char*>(stack) + kCloneStack;
  pid_t pid = ::clone(clone_trampoline, top, CLONE_PARENT | flags | SIGCHLD,
                      const_cast<std::function<int()>*>(&body));
  int err = errno;
  ::munmap(stack, kCloneStack);
  if (pid < 0) throw_errno("clone the container process", err);
  return pid;
}

void run_child(SyncChannel& channel, const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    try {
      channel.send(SyncType::kError, e.what());
    } catch (...) {
    }
    ::_exit(1);
  }
  ::_exit(0);
}

}  // namespace chrunc::container
