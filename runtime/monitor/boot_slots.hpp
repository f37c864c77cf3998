#pragma once
// How many VMs boot at once on this host, under TCG.
//
// A TCG boot is about 3 s of one host CPU. Fifty `create`s at once on a
// 2-core host (the soak, tests/soak/soak.sh) all booting together each took
// longer than boot_timeout and failed; booting them a few at a time takes the
// same CPU in all and every one succeeds. So a boot first takes one of N
// slots (N = host CPUs), an flock on a file under <dir> (0700, owner
// checked): the kernel drops the lock when its holder exits however it
// exits, so a killed monitor never keeps a slot. boot_timeout counts from
// the VMM's start, after the slot. With KVM a boot is cheap: no slot.

#include <chrono>
#include <filesystem>

#include "common/unique_fd.hpp"

namespace chrunc::runtime {

inline constexpr const char* kBootSlotDir = "/run/ch-runc/boot-slots";

class BootSlot {
 public:
  BootSlot() = default;
  // Waits for a free slot of `slots` until `wait` has passed; throws
  // chrunc::Error saying how many boots held them all.
  static BootSlot acquire(unsigned slots, std::chrono::milliseconds wait,
                          const std::filesystem::path& dir = kBootSlotDir);
  bool held() const { return lock_.valid(); }
  void release() { lock_.reset(); }

 private:
  UniqueFd lock_;
};

}  // namespace chrunc::runtime
