#include "agent/guest/root_switch.hpp"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/error.hpp"

namespace chrunc::agent {

namespace fs = std::filesystem;

namespace {
constexpr const char* kNewRoot = "/newroot";
constexpr const char* kMoved[] = {"/dev", "/proc", "/sys", "/run"};

// The initramfs's own files: not needed once the agent runs and its modules are loaded.
void free_initramfs_files() {
  std::error_code ec;
  for (const char* path : {"/init", "/lib/modules"}) fs::remove_all(path, ec);
}
}  // namespace

bool switch_to_tmpfs_root() {
  struct statfs root {};
  check_syscall(::statfs("/", &root), "statfs /");
  if (root.f_type != RAMFS_MAGIC && root.f_type != TMPFS_MAGIC) return false;
  free_initramfs_files();
  ::mkdir(kNewRoot, 0755);
  check_syscall(::mount("tmpfs", kNewRoot, "tmpfs", 0, "mode=0755"), "mount tmpfs on /newroot");
  for (const char* dir : {"dev", "proc", "sys", "run", "tmp", "etc", "mnt", "root"})
    ::mkdir((std::string(kNewRoot) + "/" + dir).c_str(), dir == std::string("tmp") ? 01777 : 0755);
  ::chmod((std::string(kNewRoot) + "/tmp").c_str(), 01777);
  for (const char* dir : kMoved) {
    std::string target = std::string(kNewRoot) + dir;
    check_syscall(::mount(dir, target.c_str(), nullptr, MS_MOVE, nullptr),
                  std::string("move ") + dir + " to " + target);
  }
  check_syscall(::chdir(kNewRoot), "chdir /newroot");
  check_syscall(::mount(".", "/", nullptr, MS_MOVE, nullptr), "move /newroot to /");
  check_syscall(::chroot("."), "chroot /newroot");
  check_syscall(::chdir("/"), "chdir /");
  return true;
}

}  // namespace chrunc::agent
