#include "agent/container/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "agent/container/file_util.hpp"
#include "agent/container/mount_options.hpp"
#include "common/error.hpp"
#include "common/sysfs_device.hpp"

namespace chrunc::container {
namespace {

mode_t device_type(const oci::Device& device) {
  if (device.type == "c" || device.type == "u") return S_IFCHR;
  if (device.type == "b") return S_IFBLK;
  if (device.type == "p") return S_IFIFO;
  throw Error("device " + device.path + ": unknown type \"" + device.type + "\"");
}

void bind_host_device(const std::string& host_node, const std::string& target,
                      const std::string& path) {
  if (!exists(target)) {
    int fd = ::open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw_errno("create " + path + " to bind the host's device onto");
    ::close(fd);
  }
  do_mount(host_node, target, "bind", MS_BIND, "", "bind device " + host_node + " on " + path);
}

// The guest's own node of `device` for a bind mount: the spec's path when
// the guest has that very device there, else the node its sysfs names
// (/dev/<DEVNAME>, on the guest's devtmpfs): a passed-through disk is
// /dev/vdX here whatever path the spec gives it.
std::string guest_node(const oci::Device& device, mode_t type, dev_t dev) {
  struct stat st {};
  if (::stat(device.path.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
    return device.path;
  try {
    const std::string name = sysfs_device_name(
        type == S_IFBLK ? DeviceKind::Block : DeviceKind::Char, device.major, device.minor);
    if (!name.empty()) return "/dev/" + name;
  } catch (const Error&) {
    // no usable name: the spec's path, as when sysfs has no such device
  }
  return device.path;
}

void symlink_in_dev(const RootfsContext& ctx, const std::string& target, const std::string& link) {
  std::string host = resolve_in_root(ctx.rootfs, link);
  if (::symlink(target.c_str(), host.c_str()) != 0 && errno != EEXIST)
    throw_errno("symlink " + link + " -> " + target);
}

}  // namespace

bool needs_dev_setup(const oci::Spec& spec) {
  for (const auto& m : spec.mounts) {
    if (m.destination != "/dev" && m.destination != "/dev/") continue;
    if (m.type == "bind" || parse_mount_options(m.options).bind) return false;
  }
  return true;
}

void create_device(const RootfsContext& ctx, const oci::Device& device) {
  if (device.path.empty() || device.path[0] != '/')
    throw Error("device path \"" + device.path + "\" is not absolute");
  std::string target = resolve_in_root(ctx.rootfs, device.path);
  size_t slash = target.rfind('/');
  if (slash > 0) mkdir_all(target.substr(0, slash));
  mode_t type = device_type(device);
  mode_t perm = device.file_mode.value_or(0666) & 07777;
  dev_t dev = makedev(static_cast<unsigned>(device.major), static_cast<unsigned>(device.minor));
  if (exists(target)) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_rdev == dev)
      return;
    if (::unlink(target.c_str()) != 0 && errno != EISDIR)
      throw_errno("remove " + device.path + " before mknod");
  }
  if (!ctx.in_user_ns && ::mknod(target.c_str(), type | perm, dev) == 0) {
    if (::chmod(target.c_str(), perm) != 0) throw_errno("chmod " + device.path);
    uid_t uid = device.uid.value_or(0);
    gid_t gid = device.gid.value_or(0);
    if (::chown(target.c_str(), uid, gid) != 0) throw_errno("chown " + device.path);
    return;
  }
  if (!ctx.in_user_ns && errno != EPERM) throw_errno("mknod " + device.path);
  // Not permitted (user namespace): the guest's own node of that device.
  bind_host_device(guest_node(device, type, dev), target, device.path);
}

void setup_dev(const RootfsContext& ctx, const oci::Spec& spec) {
  if (!needs_dev_setup(spec)) return;
  mkdir_all(resolve_in_root(ctx.rootfs, "/dev"));
  struct Default {
    const char* path;
    int major, minor;
  };
  constexpr Default kDefaults[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},
                                   {"/dev/full", 1, 7},    {"/dev/random", 1, 8},
                                   {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (const auto& d : kDefaults) {
    oci::Device device;
    device.type = "c";
    device.path = d.path;
    device.major = d.major;
    device.minor = d.minor;
    device.file_mode = 0666;
    create_device(ctx, device);
  }
  if (!spec_mounts(spec, "/dev/pts")) {
    std::string pts = create_in_root(ctx.rootfs, "/dev/pts", NodeKind::kDirectory);
    if (::mount("devpts", pts.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620,gid=5") != 0)
      do_mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620", "devpts on /dev/pts");
  }
  if (!spec_mounts(spec, "/dev/shm")) {
    std::string shm = create_in_root(ctx.rootfs, "/dev/shm", NodeKind::kDirectory);
    do_mount("shm", shm, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k",
             "tmpfs on /dev/shm");
  }
  // /dev/ptmx is the new devpts instance's.
  std::string ptmx = resolve_in_root(ctx.rootfs, "/dev/ptmx");
  if (::unlink(ptmx.c_str()) != 0 && errno != ENOENT) throw_errno("remove /dev/ptmx");
  symlink_in_dev(ctx, "pts/ptmx", "/dev/ptmx");
  symlink_in_dev(ctx, "/proc/self/fd", "/dev/fd");
  symlink_in_dev(ctx, "/proc/self/fd/0", "/dev/stdin");
  symlink_in_dev(ctx, "/proc/self/fd/1", "/dev/stdout");
  symlink_in_dev(ctx, "/proc/self/fd/2", "/dev/stderr");
  if (exists("/proc/kcore")) symlink_in_dev(ctx, "/proc/kcore", "/dev/core");
  if (spec.linux)
    for (const auto& device : spec.linux->devices) create_device(ctx, device);
}

}  // namespace chrunc::container
