#pragma once
// The VMM a container gets on this host: the guest image files, the backend
// (with the KVM verdict behind it: vmm/kvm_verdict.hpp) and the boot probe
// that verdict comes from.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "vmm/backend_choice.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::runtime {

struct GuestImage {
  std::filesystem::path kernel;
  std::filesystem::path initramfs;
  // The boot parameters of our own kernel patches this kernel takes: the
  // kernel-params file beside it (guest/kernel/boot-params), one name per
  // line; none when there is no such file (Debian's kernel, an image of
  // one's own), so no VMM passes a parameter the kernel would not know.
  std::vector<std::string> kernel_params;
};

// The configured kernel and initramfs (and the kernel's kernel-params); in a
// development tree whose config names the default (installed) paths, the
// image built beside the binaries. Throws chrunc::Error naming the missing
// file and how to get it.
GuestImage resolve_guest_image(const vmm::HostConfig& config);

// The parameter names in the kernel-params file beside `kernel` (lines of
// [a-z0-9_.], '#' comments); empty when it cannot be read.
std::vector<std::string> kernel_params_beside(const std::filesystem::path& kernel);

// This host's KVM judge: the device check on config.kvm_device, the verdict
// cached under config.probe_cache_dir, kvm_boot_probe() on a miss.
vmm::KvmJudge host_kvm_judge(const vmm::HostConfig& config);

// choose_backend() with this host's KVM judge: the device check, the cached
// verdict, and kvm_boot_probe() on a miss.
vmm::BackendChoice choose_vm_backend(const vmm::HostConfig& config);
// The one line to tell the user when the probe ran now and found KVM
// unusable ("falling back to QEMU with TCG ...: <why>"); empty otherwise, so
// it is said once per host boot, not per container.
std::string fallback_warning(const vmm::BackendChoice& choice);

// One boot of the guest image under KVM with `backend`, to the agent's
// first answer (Health) within `deadline`; throws chrunc::Error with the
// VMM's own message, or "no sign of life from the guest within N s" and the
// last console line. Its VM and work directory are gone when it returns.
void kvm_boot_probe(const vmm::HostConfig& config, const vmm::BackendChoice& backend,
                    std::chrono::milliseconds deadline);

// Everything a container's VM needs from the host, resolved in the host's
// own mount namespace before the monitor joins the spec's (a joined mount
// namespace must not pick the VMM, virtiofsd or guest image): the config with
// absolute binary paths, the guest image, the backend and its KVM verdict.
struct VmHost {
  vmm::HostConfig config;
  GuestImage image;
  vmm::BackendChoice backend;
};
VmHost resolve_vm_host();

}  // namespace chrunc::runtime
