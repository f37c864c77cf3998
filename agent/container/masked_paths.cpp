#include "agent/container/masked_paths.hpp"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>

#include "agent/container/rootfs.hpp"
#include "common/error.hpp"

namespace chrunc::container {

void apply_readonly_paths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    if (::mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;
      throw_errno("bind readonly path " + path);
    }
    remount_bind(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, "readonly path " + path);
  }
}

void apply_masked_paths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      throw_errno("stat masked path " + path);
    }
    if (S_ISDIR(st.st_mode)) {
      if (::mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, "size=0k") != 0)
        throw_errno("mask directory " + path);
    } else if (::mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      throw_errno("mask " + path);
    }
  }
}

void make_root_readonly() {
  remount_bind("/", MS_RDONLY, 0, "/ read-only");
}

}  // namespace chrunc::container
