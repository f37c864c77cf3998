#pragma once
// The container's mount table, built inside its mount namespace before
// pivot_root: every mount made rprivate (rslave when linux.rootfsPropagation
// is given, which apply_root_propagation sets on "/" after pivot_root), the
// rootfs bound onto itself, then every spec mount in order.

#include <string>

#include "oci/spec.hpp"

namespace chrunc::container {

struct RootfsContext {
  std::string rootfs;       // absolute, symlink-free host path of the rootfs
  bool in_user_ns = false;  // mounts must keep locked flags; mknod is denied
  std::string cgroup_root;  // bound instead of a cgroup2 mount that is refused
};

// Every mount of the namespace made rprivate, or rslave when
// `rootfs_propagation` is given (checked here); the rootfs bound onto itself.
// For "/" to become a slave, the rootfs's mount in the caller's namespace
// must be shared (the agent makes its shares so).
void prepare_rootfs(const RootfsContext& ctx, const std::string& rootfs_propagation);

// One spec mount, its destination created under the rootfs.
void mount_spec_entry(const RootfsContext& ctx, const oci::Mount& mount);

// True when the spec mounts something at `destination`.
bool spec_mounts(const oci::Spec& spec, const std::string& destination);

// mount(2) with errors as "mount <what> on <dest>: <cause>".
void do_mount(const std::string& source, const std::string& target, const char* type,
              unsigned long flags, const std::string& data, const std::string& what);

// Remounts a bind mount with `flags` added, keeping the flags a user
// namespace locks (nosuid, nodev, noexec, atime) unless `clear` drops them.
void remount_bind(const std::string& target, unsigned long flags, unsigned long clear,
                  const std::string& what);

}  // namespace chrunc::container
