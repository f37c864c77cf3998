#pragma once
// A spec mount's "options" split into mount(2) flags, propagation flags and
// the filesystem data string, the way runc's parseMountOptions does.

#include <cstdint>
#include <string>
#include <vector>

namespace chrunc::container {

struct MountOptions {
  unsigned long flags = 0;                 // MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, ...
  unsigned long clear_flags = 0;           // flags asked off ("rw", "suid", ...)
  std::vector<unsigned long> propagation;  // MS_SHARED|MS_REC, MS_PRIVATE, ...
  std::string data;                        // "size=65536k,mode=755"
  bool bind = false;
  // Not mount(2) flags (the engines pass them among the options, as runc and
  // crun accept them):
  bool copy_up = false;          // "tmpcopyup": a tmpfs starts with the image's content
  uint64_t recursive_set = 0;    // "rro", "rnosuid", ...: MOUNT_ATTR_* for mount_setattr
  uint64_t recursive_clear = 0;  // "rrw", "rsuid", ...
};

// Throws chrunc::Error for the options ch-runc cannot honour (idmapped
// mounts); anything not known as a flag or extension is filesystem data.
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Applies recursive_set/recursive_clear to the mount tree at `target`
// (mount_setattr with AT_RECURSIVE); nothing when both are 0.
void apply_recursive_attributes(const MountOptions& options, const std::string& target,
                                const std::string& what);

// "rprivate" -> MS_PRIVATE|MS_REC; 0 for an unknown name.
unsigned long propagation_flag(const std::string& name);

}  // namespace chrunc::container
