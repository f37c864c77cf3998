#include "agent/server/share_mounts.hpp"

#include <sys/mount.h>

#include <filesystem>

#include "common/error.hpp"

namespace chrunc::agent {

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
