#include "agent/container/pivot_root.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/container/mount_options.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {

void pivot_into(const std::string& rootfs) {
  UniqueFd old_root(::open("/", O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!old_root) throw_errno("open old root");
  UniqueFd new_root(::open(rootfs.c_str(), O_DIRECTORY | O_PATH | O_CLOEXEC));
  if (!new_root) throw_errno("open new root " + rootfs);
  check_syscall(::fchdir(new_root.get()), "chdir into the rootfs");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root " + rootfs);
  // The old root is stacked on "."; reach it, make it a slave so the
  // unmount does not propagate to the host, and detach it.
  check_syscall(::fchdir(old_root.get()), "chdir into the old root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    throw_errno("make the old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) throw_errno("unmount the old root");
  check_syscall(::chdir("/"), "chdir /");
}

void move_root_into(const std::string& rootfs) {
  check_syscall(::chdir(rootfs.c_str()), "chdir into the rootfs");
  if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
    throw_errno("move the rootfs onto /");
  check_syscall(::chroot("."), "chroot into the rootfs");
  check_syscall(::chdir("/"), "chdir /");
}

void apply_root_propagation(const std::string& rootfs_propagation) {
  if (rootfs_propagation.empty()) return;
  unsigned long flag = propagation_flag(rootfs_propagation);
  // "/" is a slave of the rootfs's mount outside (prepare_rootfs): "slave"
  // keeps that. "shared" gets a peer group of its own, so that what the
  // container mounts reaches the namespaces cloned from it but never the
  // guest's: leave the master first, as MS_SHARED alone would keep it.
  if ((flag & MS_SHARED) &&
      ::mount(nullptr, "/", nullptr, MS_PRIVATE | (flag & MS_REC), nullptr) != 0)
    throw_errno("make / private before sharing it");
  if (::mount(nullptr, "/", nullptr, flag, nullptr) != 0)
    throw_errno("set propagation of / to " + rootfs_propagation);
}

}  // namespace chrunc::container
