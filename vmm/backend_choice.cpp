#include "vmm/backend_choice.hpp"

#include <unistd.h>

#include "common/error.hpp"

namespace chrunc::vmm {

bool kvm_available() {
  return ::access("/dev/kvm", R_OK | W_OK) == 0;
}

namespace {

BackendChoice qemu(const HostConfig& config, bool kvm, const std::string& why) {
  std::string binary = find_executable(config.qemu_binary);
  if (binary.empty())
    throw Error("hypervisor: QEMU binary " + config.qemu_binary + " not found" + why);
  if (config.accel == "kvm" && !kvm)
    throw Error("hypervisor: accel kvm configured but /dev/kvm is not usable");
  bool use_kvm = config.accel == "kvm" || (config.accel == "auto" && kvm);
  BackendChoice choice;
  choice.kind = use_kvm ? BackendChoice::Kind::QemuKvm : BackendChoice::Kind::QemuTcg;
  choice.binary = binary;
  choice.reason = use_kvm ? "QEMU with KVM" : "QEMU with TCG software emulation (slow)";
  if (!use_kvm && config.accel == "auto") choice.reason += ": /dev/kvm is not usable";
  choice.reason += why;
  return choice;
}

}  // namespace

BackendChoice choose_backend(const HostConfig& config) {
  const bool kvm = kvm_available();
  if (config.hypervisor == "cloud-hypervisor") {
    std::string binary = find_executable(config.cloud_hypervisor_binary);
    if (binary.empty())
      throw Error("hypervisor: cloud-hypervisor binary " + config.cloud_hypervisor_binary +
                  " not found");
    if (!kvm)
      throw Error("hypervisor: cloud-hypervisor needs /dev/kvm, which is not usable on this host");
    return {BackendChoice::Kind::CloudHypervisor, binary, "cloud-hypervisor (configured)"};
  }
  if (config.hypervisor == "qemu") return qemu(config, kvm, " (configured)");
  if (config.hypervisor != "auto")
    throw Error("hypervisor: unknown hypervisor \"" + config.hypervisor + "\"");
  std::string ch = find_executable(config.cloud_hypervisor_binary);
  if (kvm && !ch.empty())
    return {BackendChoice::Kind::CloudHypervisor, ch, "cloud-hypervisor: /dev/kvm and " + ch};
  return qemu(config, kvm,
              ch.empty() ? " (no cloud-hypervisor binary)" : " (no /dev/kvm for cloud-hypervisor)");
}

}  // namespace chrunc::vmm
