#include "agent/container/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>

#include "agent/container/file_util.hpp"
#include "agent/container/mount_options.hpp"
#include "agent/container/tree_copy.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

unsigned long current_locked_flags(const std::string& target) {
  struct statvfs st {};
  if (::statvfs(target.c_str(), &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

void apply_propagation(const MountOptions& options, const std::string& target,
                       const std::string& dest) {
  for (unsigned long p : options.propagation)
    if (::mount(nullptr, target.c_str(), nullptr, p, nullptr) != 0)
      throw_errno("set propagation of " + dest);
}

void mount_bind(const RootfsContext& ctx, const oci::Mount& m, const MountOptions& options) {
  struct stat st {};
  if (::stat(m.source.c_str(), &st) != 0) throw_errno("bind mount source " + m.source);
  std::string target = create_in_root(ctx.rootfs, m.destination,
                                      S_ISDIR(st.st_mode) ? NodeKind::kDirectory : NodeKind::kFile);
  const std::string what = "bind " + m.source + " on " + m.destination;
  do_mount(m.source, target, "bind", MS_BIND | (options.flags & MS_REC), "", what);
  unsigned long extra = options.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (extra != 0) remount_bind(target, extra, options.clear_flags, what);
  apply_recursive_attributes(options, target, what);
  apply_propagation(options, target, m.destination);
}

// Mounts that a user namespace may refuse fall back to a bind of the host's.
bool mount_with_fallback(const RootfsContext& ctx, const oci::Mount& m, const std::string& target,
                         const char* type, unsigned long flags, const std::string& data) {
  if (::mount(m.source.c_str(), target.c_str(), type, flags,
              data.empty() ? nullptr : data.c_str()) == 0)
    return true;
  int err = errno;
  std::string host;
  if (std::string(type) == "sysfs" && (err == EPERM || err == EBUSY)) host = "/sys";
  if (std::string(type) == "cgroup2" && (err == EPERM || err == EBUSY)) host = ctx.cgroup_root;
  if (std::string(type) == "mqueue" && (err == EPERM || err == EBUSY)) host = "/dev/mqueue";
  if (host.empty()) throw_errno("mount " + std::string(type) + " on " + m.destination, err);
  do_mount(host, target, "bind", MS_BIND | MS_REC, "", "bind " + host + " on " + m.destination);
  unsigned long extra = flags & ~(MS_BIND | MS_REC);
  if (extra != 0) remount_bind(target, extra, 0, "bind " + host + " on " + m.destination);
  return true;
}

}  // namespace

void do_mount(const std::string& source, const std::string& target, const char* type,
              unsigned long flags, const std::string& data, const std::string& what) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type, flags,
              data.empty() ? nullptr : data.c_str()) != 0)
    throw_errno("mount " + what);
}

void remount_bind(const std::string& target, unsigned long flags, unsigned long clear,
                  const std::string& what) {
  unsigned long all = flags | (current_locked_flags(target) & ~clear);
  if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
    all &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
    all |= flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
  }
  if (::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | all, nullptr) != 0)
    throw_errno("remount " + what);
}

void prepare_rootfs(const RootfsContext& ctx, const std::string& rootfs_propagation) {
  if (!rootfs_propagation.empty() && propagation_flag(rootfs_propagation) == 0)
    throw Error("linux.rootfsPropagation: unknown value \"" + rootfs_propagation + "\"");
  // Nothing the container mounts may reach the caller's namespace, and no
  // mount may stay shared (pivot_root refuses a shared parent of the new
  // root). Without rootfsPropagation everything becomes private. With it,
  // everything becomes a slave, so that the rootfs's own mount keeps its
  // master and the bind below inherits it: that is what lets "/" become a
  // slave of the rootfs's mount outside (apply_root_propagation).
  unsigned long flag = rootfs_propagation.empty() ? MS_PRIVATE | MS_REC : MS_SLAVE | MS_REC;
  if (::mount(nullptr, "/", nullptr, flag, nullptr) != 0)
    throw_errno(std::string("make the mount namespace ") +
                (flag & MS_PRIVATE ? "rprivate" : "rslave"));
  do_mount(ctx.rootfs, ctx.rootfs, "bind", MS_BIND | MS_REC, "",
           "bind rootfs " + ctx.rootfs + " onto itself");
}

void mount_spec_entry(const RootfsContext& ctx, const oci::Mount& m) {
  if (m.destination.empty() || m.destination[0] != '/')
    throw Error("mount destination \"" + m.destination + "\" is not absolute");
  MountOptions options = parse_mount_options(m.options);
  if (options.bind || m.type == "bind") return mount_bind(ctx, m, options);

  std::string type = m.type == "cgroup" ? "cgroup2" : m.type;
  std::string target = create_in_root(ctx.rootfs, m.destination, NodeKind::kDirectory);
  unsigned long flags = options.flags & ~MS_REMOUNT;
  std::string data = options.data;
  if (type == "cgroup2") {
    data.clear();  // cgroup v1 controller names mean nothing to cgroup2
  }
  // "tmpcopyup": the directory the tmpfs covers stays reachable through this
  // fd, and its content is copied into the new tmpfs.
  UniqueFd covered;
  if (options.copy_up && type == "tmpfs") {
    covered.reset(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!covered) throw_errno("open " + m.destination + " for tmpcopyup");
  }
  // A read-only tmpfs is filled first and made read-only afterwards.
  mount_with_fallback(ctx, m, target, type.c_str(), covered ? flags & ~MS_RDONLY : flags, data);
  if (covered) {
    UniqueFd fresh(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fresh) throw_errno("open the tmpfs on " + m.destination);
    try {
      copy_tree(covered.get(), fresh.get());
    } catch (const Error& e) {
      throw Error("tmpcopyup of " + m.destination + ": " + e.what());
    }
  }
  if (covered && (flags & MS_RDONLY))
    remount_bind(target, MS_RDONLY, 0, type + " on " + m.destination);
  apply_recursive_attributes(options, target, type + " on " + m.destination);
  apply_propagation(options, target, m.destination);
}

bool spec_mounts(const oci::Spec& spec, const std::string& destination) {
  for (const auto& m : spec.mounts) {
    std::string d = m.destination;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    if (d == destination) return true;
  }
  return false;
}

}  // namespace chrunc::container
