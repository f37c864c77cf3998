#pragma once
// Whether KVM runs our guest on this host, decided once per host boot.
//
// A /dev/kvm that opens and answers the API is not proof: on a nested or
// paravirtualised KVM (the kvm_pvm module, which runs only PVM-built guest
// kernels) QEMU aborts at start or the guest never prints a byte. So the
// verdict comes from one real boot of the installed guest image to the
// agent's first answer, under a short deadline. It is cached under
// `probe_cache_dir` keyed by the host's boot id and the identity (device,
// inode, size, mtime) of the VMM binary, kernel and initramfs, so the boot
// costs once per host boot and image, not per container. Concurrent callers
// wait for one probe (a lock with a deadline).

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "vmm/kvm_device.hpp"

namespace chrunc::vmm {

struct KvmVerdict {
  bool usable = false;
  // One line: why KVM is (not) used.
  std::string reason;
  // True when this call ran the boot probe (the caller says the verdict once).
  bool probed_now = false;
  // True when the verdict came from the cache file.
  bool cached = false;
};

// Boots the guest under KVM and returns when the agent answered; throws
// chrunc::Error naming what went wrong (the VMM's own message, or "no sign
// of life within N s") once `deadline` has passed. Leaves nothing running.
using KvmBootProbe = std::function<void(std::chrono::milliseconds deadline)>;

struct KvmProbeInputs {
  std::function<KvmDeviceCheck()> check_device;
  // What the verdict depends on besides the device: boot id, binary and
  // image identities (kvm_probe_identity()). A changed identity re-probes.
  std::string identity;
  std::filesystem::path cache_dir;  // created 0700; holds verdicts and the lock
  std::chrono::milliseconds probe_timeout{15000};
  KvmBootProbe boot;
};

// The decision: the device check first (a "no" is final and not cached),
// then the cached verdict for `identity`, else one boot probe whose outcome
// is cached. Throws chrunc::Error only when the cache directory is unusable
// (not ours, a symlink) or the lock cannot be had in time.
KvmVerdict judge_kvm(const KvmProbeInputs& inputs);

// "boot=<boot_id> vmm=<dev:ino:size:mtime> kernel=... initramfs=..." for
// the files given (a missing file reads "absent").
std::string kvm_probe_identity(const std::filesystem::path& vmm_binary,
                               const std::filesystem::path& kernel,
                               const std::filesystem::path& initramfs);

// Removes every cached verdict under `cache_dir` (`ch-runc check --reprobe`).
void forget_kvm_verdicts(const std::filesystem::path& cache_dir);

}  // namespace chrunc::vmm
