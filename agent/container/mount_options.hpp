#pragma once
// A spec mount's "options" split into mount(2) flags, propagation flags and
// the filesystem data string, the way runc's parseMountOptions does.

#include <string>
#include <vector>

namespace chrunc::container {

struct MountOptions {
  unsigned long flags = 0;                 // MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, ...
  unsigned long clear_flags = 0;           // flags asked off ("rw", "suid", ...)
  std::vector<unsigned long> propagation;  // MS_SHARED|MS_REC, MS_PRIVATE, ...
  std::string data;                        // "size=65536k,mode=755"
  bool bind = false;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

// "rprivate" -> MS_PRIVATE|MS_REC; 0 for an unknown name.
unsigned long propagation_flag(const std::string& name);

}  // namespace chrunc::container
