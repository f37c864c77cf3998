#include "agent/container/mount_options.hpp"

#include <sys/mount.h>

#include <string_view>

namespace chrunc::container {
namespace {

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
};

}  // namespace

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
    // Recursive mount attributes (rro, rnosuid, ...) and idmap are not supported
    // by mount(2); anything else is filesystem data.
    if (!out.data.empty()) out.data += ',';
    out.data += option;
  }
  return out;
}

}  // namespace chrunc::container
