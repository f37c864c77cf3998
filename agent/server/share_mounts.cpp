#include "agent/server/share_mounts.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <filesystem>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

// mkdir -p, mount, then shared: so that a container's "/" can be a slave of
// it (linux.rootfsPropagation "slave"); the container library makes its
// copies rslave or rprivate, so nothing flows back here. On a failure after
// the mount, `mounted` already holds the path.
void mount_share(const std::string& tag, const std::string& path, bool read_only,
                 std::vector<std::string>& mounted) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw Error("mkdir " + path + ": " + ec.message());
  unsigned long flags = MS_NODEV;
  if (read_only) flags |= MS_RDONLY;
  if (::mount(tag.c_str(), path.c_str(), "virtiofs", flags, nullptr) != 0)
    throw_errno("mount virtiofs " + tag + " on " + path);
  mounted.push_back(path);
  if (::mount(nullptr, path.c_str(), nullptr, MS_SHARED, nullptr) != 0)
    throw_errno("make the share " + path + " shared");
}

// Lazily, in reverse order; empties `mounted`.
void unmount_all_of(std::vector<std::string>& mounted) noexcept {
  for (auto it = mounted.rbegin(); it != mounted.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  mounted.clear();
}

}  // namespace

Premount Premount::mount(std::string tag, std::string guest_path) {
  std::vector<std::string> mounted;
  try {
    mount_share(tag, guest_path, false, mounted);
  } catch (...) {
    unmount_all_of(mounted);
    throw;
  }
  return {std::move(tag), std::move(guest_path)};
}

ShareMounts::ShareMounts(const google::protobuf::RepeatedPtrField<v1::SharedDirectory>& shares,
                         const std::optional<Premount>& premount) {
  auto is_premount = [&](const v1::SharedDirectory& share) {
    return premount && !share.read_only() && share.tag() == premount->tag &&
           share.guest_path() == premount->guest_path;
  };
  // Owned from here on: unmounted with the others on a failure or at the
  // end, and at once (before anything is mounted over it) when no share
  // takes it.
  const bool take = std::any_of(shares.begin(), shares.end(), is_premount);
  if (take) mounted_.push_back(premount->guest_path);
  if (premount && !take) ::umount2(premount->guest_path.c_str(), MNT_DETACH);
  bool taken = false;
  try {
    for (const auto& share : shares) {
      const std::string& path = share.guest_path();
      if (share.tag().empty() || path.empty() || path.front() != '/')
        throw Error("share \"" + share.tag() + "\": needs a tag and an absolute guest_path");
      if (!taken && is_premount(share)) {
        taken = true;
        continue;
      }
      mount_share(share.tag(), path, share.read_only(), mounted_);
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
  unmount_all_of(mounted_);
}

}  // namespace chrunc::agent
