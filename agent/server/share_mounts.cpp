#include "agent/server/share_mounts.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

// The host announces each entry of the container's share (its rootfs and
// every bind source, each a host mount) as a submount, which the guest
// kernel mounts on first access. Opening each entry here, under the shared
// share mount, makes those mounts now, in this namespace, shared like their
// parent: a container's namespace then gets copies that can be slaves
// (linux.rootfsPropagation), instead of private automounts made later from
// inside it.
void mount_announced_submounts(const std::string& share) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(share, ec)) {
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
}

}  // namespace

ShareMounts::ShareMounts(const google::protobuf::RepeatedPtrField<v1::SharedDirectory>& shares) {
  try {
    for (const auto& share : shares) {
      const std::string& path = share.guest_path();
      if (share.tag().empty() || path.empty() || path.front() != '/')
        throw Error("share \"" + share.tag() + "\": needs a tag and an absolute guest_path");
      std::error_code ec;
      std::filesystem::create_directories(path, ec);
      if (ec) throw Error("mkdir " + path + ": " + ec.message());
      unsigned long flags = MS_NODEV;
      if (share.read_only()) flags |= MS_RDONLY;
      if (::mount(share.tag().c_str(), path.c_str(), "virtiofs", flags, nullptr) != 0)
        throw_errno("mount virtiofs " + share.tag() + " on " + path);
      mounted_.push_back(path);
      // Shared, so that a container's "/" can be a slave of it
      // (linux.rootfsPropagation "slave"); the container library makes its
      // copies rslave or rprivate, so nothing flows back here.
      if (::mount(nullptr, path.c_str(), nullptr, MS_SHARED, nullptr) != 0)
        throw_errno("make the share " + path + " shared");
      mount_announced_submounts(path);
    }
  } catch (...) {
    unmount_all();
    throw;
  }
}

ShareMounts::~ShareMounts() {
  unmount_all();
}

void ShareMounts::unmount_all() noexcept {
  for (auto it = mounted_.rbegin(); it != mounted_.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  mounted_.clear();
}

}  // namespace chrunc::agent
