// make_hypervisor(): the backend a BackendChoice names, set up from the host config.
#include "vmm/backend_choice.hpp"
#include "vmm/cloudhypervisor/ch_hypervisor.hpp"
#include "vmm/host_config.hpp"
#include "vmm/hypervisor.hpp"
#include "vmm/qemu/qemu_hypervisor.hpp"

namespace chrunc::vmm {

std::unique_ptr<Hypervisor> make_hypervisor(const BackendChoice& choice, const HostConfig& config) {
  if (choice.kind == BackendChoice::Kind::CloudHypervisor) {
    ch::ChSettings settings;
    settings.binary = choice.binary;
    settings.seccomp = config.seccomp;
    settings.debug_log = config.log_level == "debug";
    return std::make_unique<ch::ChHypervisor>(settings);
  }
  qemu::QemuSettings settings;
  settings.binary = choice.binary;
  settings.kvm = choice.kind == BackendChoice::Kind::QemuKvm;
  settings.sandbox = config.seccomp;
  return std::make_unique<qemu::QemuHypervisor>(settings);
}

}  // namespace chrunc::vmm
