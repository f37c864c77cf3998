#pragma once
// The one directory a container's VM may reach on the host:
//
//   <state_dir>/share            0700, bind-mounted on itself, MS_PRIVATE,
//                                then read-only (nothing can be added beside)
//   <state_dir>/share/rootfs     the spec's root (MS_BIND|MS_REC, writable)
//   <state_dir>/share/m<index>   mounts[index].source bound on its own: a
//                                directory, or an empty 0600 file for a file
//
// One virtiofsd serves it, so the guest reaches exactly what the spec names
// and nothing beside it (a file mount no longer exposes its parent).
// Read-only sources are made read-only here, on the host (bind, then set
// MOUNT_ATTR_RDONLY), so the host kernel refuses writes whatever the guest
// mounts. Every share mount is also nosuid,nodev on the host: a setuid
// binary or device node planted by the guest does nothing through the share
// (at a writable source's own host path it is what a runc container's root
// could plant in a bind mount too). Inside the guest, virtiofs device nodes
// are the guest kernel's and the guest's own mount flags decide. QEMU's C
// virtiofsd serves such mounts unchanged and crosses into submounts with
// their flags (tests/e2e/hostile_shares.sh). Every mount is made a slave:
// nothing done here propagates back (unmounting our copies cannot unmount
// the originals).
//
// The mounts live in the monitor's mount namespace: when the spec gives the
// container a new one (the usual case) they vanish with the monitor's
// processes; otherwise `delete` removes them (remove_container_share).

#include <filesystem>
#include <string>
#include <vector>

namespace chrunc::runtime {

struct ShareEntry {
  std::string name;              // "rootfs" or "m<index>"
  std::filesystem::path source;  // host path (absolute)
  bool directory = true;         // false: any non-directory (file, socket, ...)
  bool read_only = false;
  bool recursive = false;  // rbind: the source's submounts come along
};

class ContainerShare {
 public:
  ContainerShare() = default;
  ContainerShare(ContainerShare&& other) noexcept : dir_(std::move(other.dir_)) {
    other.dir_.clear();
  }
  ContainerShare& operator=(ContainerShare&& other) noexcept;
  ContainerShare(const ContainerShare&) = delete;
  ContainerShare& operator=(const ContainerShare&) = delete;
  ~ContainerShare() { release(); }

  // Makes <state_dir>/share with every entry mounted. Throws chrunc::Error
  // naming the entry; leaves nothing mounted or created then.
  static ContainerShare create(const std::filesystem::path& state_dir,
                               const std::vector<ShareEntry>& entries);

  const std::filesystem::path& dir() const { return dir_; }

  // Unmounts and removes it now (errors logged). Idempotent.
  void release() noexcept;

 private:
  std::filesystem::path dir_;
};

// <state_dir>/share
std::filesystem::path share_dir(const std::filesystem::path& state_dir);

// Unmounts everything at or below <state_dir>/share in the caller's mount
// namespace, then removes the (then empty) entries and the directory, never
// recursing into anything: a mount that stays is an error, not a deletion of
// host files. Nothing there: nothing to do. Throws chrunc::Error.
void remove_container_share(const std::filesystem::path& state_dir);

// The mount points at or below `dir` in /proc/self/mountinfo, in mount order.
std::vector<std::filesystem::path> mounts_below(const std::filesystem::path& dir);

}  // namespace chrunc::runtime
