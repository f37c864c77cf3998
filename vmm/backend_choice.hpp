#pragma once
// Which VMM a host config selects on this host, and why.

#include <string>

#include "vmm/host_config.hpp"

namespace chrunc::vmm {

struct BackendChoice {
  enum class Kind { CloudHypervisor, QemuKvm, QemuTcg };
  Kind kind = Kind::QemuTcg;
  std::string binary;  // resolved path of the VMM
  std::string reason;  // one line: why this backend
};

bool kvm_available();

// "auto": cloud-hypervisor when /dev/kvm and its binary exist, else QEMU with
// KVM, else QEMU with TCG. An explicit choice whose needs are missing
// throws chrunc::Error naming what is missing.
BackendChoice choose_backend(const HostConfig& config);

}  // namespace chrunc::vmm
