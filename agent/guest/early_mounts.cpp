#include "agent/guest/early_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "common/error.hpp"

namespace chrunc::agent {

namespace {
struct EarlyMount {
  const char* source;
  const char* target;
  const char* type;
  unsigned long flags;
  const char* data;
};

constexpr EarlyMount kMounts[] = {
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    {"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"},
    {"shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"},
    {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
    {"cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
};

void console_stdio() {
  int fd = ::open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return;  // keep whatever the kernel gave us
  for (int target = 0; target <= 2; ++target) ::dup2(fd, target);
  if (fd > 2) ::close(fd);
}

void enable_cgroup_controllers() {
  std::ifstream available("/sys/fs/cgroup/cgroup.controllers");
  std::string name, request;
  while (available >> name) request += (request.empty() ? "+" : " +") + name;
  if (request.empty()) return;
  int fd = check_syscall(::open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY | O_CLOEXEC),
                         "open /sys/fs/cgroup/cgroup.subtree_control");
  ssize_t n = ::write(fd, request.data(), request.size());
  int err = errno;
  ::close(fd);
  if (n < 0) throw_errno("enable cgroup controllers \"" + request + "\"", err);
}
}  // namespace

void mount_early_filesystems() {
  for (const auto& m : kMounts) {
    ::mkdir(m.target, 0755);
    if (::mount(m.source, m.target, m.type, m.flags, m.data) != 0 && errno != EBUSY)
      throw_errno(std::string("mount ") + m.type + " on " + m.target);
    if (std::string(m.target) == "/dev") console_stdio();
  }
  ::symlink("/dev/pts/ptmx", "/dev/ptmx");  // devtmpfs has a ptmx node already; harmless
  ::symlink("/proc/self/fd", "/dev/fd");
  ::symlink("/proc/self/fd/0", "/dev/stdin");
  ::symlink("/proc/self/fd/1", "/dev/stdout");
  ::symlink("/proc/self/fd/2", "/dev/stderr");
  enable_cgroup_controllers();
}

bool kernel_cmdline_has(const char* word) {
  std::ifstream cmdline("/proc/cmdline");
  std::string token;
  while (cmdline >> token)
    if (token == word) return true;
  return false;
}

}  // namespace chrunc::agent
