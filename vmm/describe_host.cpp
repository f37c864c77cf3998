// describe_host(): the report of `ch-runc check`.
#include <unistd.h>

#include <sstream>

#include "common/error.hpp"
#include "vmm/backend_choice.hpp"
#include "vmm/host_config.hpp"
#include "vmm/kvm_device.hpp"

namespace chrunc::vmm {
namespace {

std::string binary_line(const std::string& configured) {
  std::string found = find_executable(configured);
  return found.empty() ? "not found (" + configured + ")" : found;
}

std::string file_line(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return "missing (" + path.string() + ")";
  return path.string();
}

}  // namespace

std::string describe_host(const HostConfig& config, const KvmJudge& judge) {
  std::ostringstream out;
  const KvmDeviceCheck device = check_kvm_device(config.kvm_device);
  out << "kvm device: " << (device.usable ? "opens: " : "unusable: ") << device.detail << "\n";
  out << "cloud-hypervisor: " << binary_line(config.cloud_hypervisor_binary) << "\n";
  out << "qemu: " << binary_line(config.qemu_binary) << "\n";
  out << "virtiofsd: " << binary_line(config.virtiofsd_binary) << "\n";
  out << "kernel: " << file_line(config.kernel) << "\n";
  out << "initramfs: " << file_line(config.initramfs) << "\n";
  bool ready = !find_executable(config.virtiofsd_binary).empty() &&
               std::filesystem::is_regular_file(config.kernel) &&
               std::filesystem::is_regular_file(config.initramfs);
  std::optional<KvmVerdict> seen;
  try {
    BackendChoice choice = choose_backend(config, [&](const BackendChoice& candidate) {
      seen = judge(candidate);
      return *seen;
    });
    if (seen) {
      out << "kvm: " << (seen->usable ? "runs the guest: " : "cannot be used: ") << seen->reason
          << (seen->cached       ? " (verdict cached for this host boot)"
              : seen->probed_now ? " (probed now)"
                                 : "")
          << "\n";
    } else {
      out << "kvm: not considered (accel tcg configured)\n";
    }
    out << "hypervisor: " << config.hypervisor << " -> " << choice.reason << "\n";
  } catch (const Error& e) {
    if (seen)
      out << "kvm: " << (seen->usable ? "runs the guest: " : "cannot be used: ") << seen->reason
          << "\n";
    out << "hypervisor: " << config.hypervisor << " -> unusable: " << e.what() << "\n";
    ready = false;
  }
  out << "containers: " << (ready ? "can run" : "cannot run (see the missing pieces above)")
      << "\n";
  return out.str();
}

}  // namespace chrunc::vmm
