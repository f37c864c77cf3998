#include "agent/container/mount_options.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>

#include "common/error.hpp"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

namespace chrunc::container {
namespace {

constexpr unsigned long kMsNosymfollow = 256;  // MS_NOSYMFOLLOW (Linux 5.10)

struct FlagName {
  std::string_view name;
  bool clear;
  unsigned long flag;
};
constexpr FlagName kFlags[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"acl", false, MS_POSIXACL},
    {"noacl", true, MS_POSIXACL},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"nosymfollow", false, kMsNosymfollow},
    {"symfollow", true, kMsNosymfollow},
};

// Recursive mount attributes (mount_setattr(2), values of linux/mount.h).
constexpr uint64_t kAttrRdonly = 0x1;
constexpr uint64_t kAttrNosuid = 0x2;
constexpr uint64_t kAttrNodev = 0x4;
constexpr uint64_t kAttrNoexec = 0x8;
constexpr uint64_t kAttrAtimeMask = 0x70;
constexpr uint64_t kAttrRelatime = 0x0;
constexpr uint64_t kAttrNoatime = 0x10;
constexpr uint64_t kAttrStrictatime = 0x20;
constexpr uint64_t kAttrNodiratime = 0x80;
constexpr uint64_t kAttrNosymfollow = 0x200000;

struct RecursiveName {
  std::string_view name;
  bool clear;
  uint64_t attr;
};
constexpr RecursiveName kRecursive[] = {
    {"rro", false, kAttrRdonly},
    {"rrw", true, kAttrRdonly},
    {"rnosuid", false, kAttrNosuid},
    {"rsuid", true, kAttrNosuid},
    {"rnodev", false, kAttrNodev},
    {"rdev", true, kAttrNodev},
    {"rnoexec", false, kAttrNoexec},
    {"rexec", true, kAttrNoexec},
    {"rnodiratime", false, kAttrNodiratime},
    {"rdiratime", true, kAttrNodiratime},
    {"rnosymfollow", false, kAttrNosymfollow},
    {"rsymfollow", true, kAttrNosymfollow},
};
// The atime mode is one value in a mask: setting one clears the others.
constexpr RecursiveName kRecursiveAtime[] = {
    {"rrelatime", false, kAttrRelatime},       {"ratime", false, kAttrRelatime},
    {"rnostrictatime", false, kAttrRelatime},  {"rnoatime", false, kAttrNoatime},
    {"rstrictatime", false, kAttrStrictatime}, {"rnorelatime", false, kAttrStrictatime},
};

struct MountAttr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

bool parse_extension(const std::string& option, MountOptions& out) {
  if (option == "tmpcopyup") {
    out.copy_up = true;
    return true;
  }
  if (option == "notmpcopyup") {
    out.copy_up = false;
    return true;
  }
  for (const auto& r : kRecursive) {
    if (r.name != option) continue;
    if (r.clear) {
      out.recursive_set &= ~r.attr;
      out.recursive_clear |= r.attr;
    } else {
      out.recursive_set |= r.attr;
      out.recursive_clear &= ~r.attr;
    }
    return true;
  }
  for (const auto& r : kRecursiveAtime) {
    if (r.name != option) continue;
    out.recursive_set = (out.recursive_set & ~kAttrAtimeMask) | r.attr;
    out.recursive_clear |= kAttrAtimeMask;
    return true;
  }
  if (option == "idmap" || option == "ridmap" || option.starts_with("idmap=") ||
      option.starts_with("ridmap="))
    throw Error("mount option \"" + option + "\": idmapped mounts are not supported by ch-runc");
  return false;
}

}  // namespace

void apply_recursive_attributes(const MountOptions& options, const std::string& target,
                                const std::string& what) {
  if (options.recursive_set == 0 && options.recursive_clear == 0) return;
  MountAttr attr{options.recursive_set, options.recursive_clear, 0, 0};
  if (::syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) != 0)
    throw_errno("set recursive attributes of " + what);
}

unsigned long propagation_flag(const std::string& name) {
  if (name == "private") return MS_PRIVATE;
  if (name == "rprivate") return MS_PRIVATE | MS_REC;
  if (name == "shared") return MS_SHARED;
  if (name == "rshared") return MS_SHARED | MS_REC;
  if (name == "slave") return MS_SLAVE;
  if (name == "rslave") return MS_SLAVE | MS_REC;
  if (name == "unbindable") return MS_UNBINDABLE;
  if (name == "runbindable") return MS_UNBINDABLE | MS_REC;
  return 0;
}

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& option : options) {
    bool known = false;
    for (const auto& f : kFlags) {
      if (f.name != option) continue;
      known = true;
      if (f.clear) {
        out.flags &= ~f.flag;
        out.clear_flags |= f.flag;
      } else {
        out.flags |= f.flag;
        out.clear_flags &= ~f.flag;
      }
      if (f.flag & MS_BIND) out.bind = true;
    }
    if (known) continue;
    if (unsigned long p = propagation_flag(option)) {
      out.propagation.push_back(p);
      continue;
    }
    if (parse_extension(option, out)) continue;
    // Anything else is filesystem data.
    if (!out.data.empty()) out.data += ',';
    out.data += option;
  }
  return out;
}

}  // namespace chrunc::container
