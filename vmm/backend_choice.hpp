#pragma once
// Which VMM a host config selects on this host, and why.
//
// KVM is used only when it runs our guest (kvm_verdict.hpp): "auto" asks the
// judge, and falls back to QEMU with TCG on a "no", saying why; an explicit
// `accel: kvm` or `hypervisor: cloud-hypervisor` fails on a "no" instead.

#include <functional>
#include <optional>
#include <string>

#include "vmm/host_config.hpp"
#include "vmm/kvm_verdict.hpp"

namespace chrunc::vmm {

struct BackendChoice {
  enum class Kind { CloudHypervisor, QemuKvm, QemuTcg };
  Kind kind = Kind::QemuTcg;
  std::string binary;  // resolved path of the VMM
  std::string reason;  // one line: why this backend
  // The KVM verdict the choice rests on, when KVM was considered.
  std::optional<KvmVerdict> kvm;
};

// The backend that would run the guest with KVM under `config`:
// cloud-hypervisor when configured, or (auto) when its binary is found,
// else QEMU with KVM; nullopt when the config rules KVM out (accel: tcg).
// Throws chrunc::Error when a configured binary is missing.
std::optional<BackendChoice> kvm_candidate(const HostConfig& config);

// Asked (at most once per choice) whether KVM runs the guest with `candidate`.
using KvmJudge = std::function<KvmVerdict(const BackendChoice& candidate)>;

// The backend to use. An explicit choice whose needs are missing throws
// chrunc::Error naming what is missing, or why KVM cannot be used.
BackendChoice choose_backend(const HostConfig& config, const KvmJudge& judge);

// A judge for `config`: the device check on config.kvm_device, the verdict
// cached under config.probe_cache_dir, and `boot` as the real boot probe
// (given the candidate and its deadline). The kernel and initramfs given
// are those the probe boots (part of the cache key).
KvmJudge make_kvm_judge(const HostConfig& config, const std::filesystem::path& kernel,
                        const std::filesystem::path& initramfs,
                        std::function<void(const BackendChoice&, std::chrono::milliseconds)> boot);

}  // namespace chrunc::vmm
