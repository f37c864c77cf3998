#include "runtime/monitor/vm_backend.hpp"

#include <stdlib.h>

#include <fstream>
#include <iostream>

#include "agent/client/agent_client.hpp"
#include "build_config.hpp"
#include "common/error.hpp"
#include "vmm/console_tail.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

fs::path image_file(const fs::path& configured, const char* name, const fs::path& config_file) {
  if (fs::exists(configured)) return configured;
  fs::path built = fs::path(build::kBinaryDir) / "guest" / name;
  if (configured == fs::path(build::kImageDir) / name && fs::exists(built)) return built;
  throw Error(std::string("guest image: ") + configured.string() +
              " does not exist (build the guest-image target or set it in " + config_file.string() +
              ")");
}

// A private directory for the probe's VM, removed with everything in it.
class ProbeDir {
 public:
  explicit ProbeDir(const fs::path& parent) {
    fs::create_directories(parent);
    std::string tmpl = (parent / "boot.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw_errno("kvm probe: mkdtemp " + tmpl);
    path_ = tmpl;
  }
  ~ProbeDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ProbeDir(const ProbeDir&) = delete;
  ProbeDir& operator=(const ProbeDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::chrono::milliseconds left(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return ms.count() > 0 ? ms : 1ms;
}

}  // namespace

GuestImage resolve_guest_image(const vmm::HostConfig& config) {
  const fs::path origin = vmm::default_host_config_path();
  GuestImage image{image_file(config.kernel, "vmlinux", origin),
                   image_file(config.initramfs, "initramfs.cpio", origin),
                   {}};
  image.kernel_params = kernel_params_beside(image.kernel);
  return image;
}

std::vector<std::string> kernel_params_beside(const fs::path& kernel) {
  std::vector<std::string> names;
  std::ifstream in(kernel.parent_path() / "kernel-params");
  std::string line;
  // A handful of names; a longer file is not ours.
  while (names.size() < 32 && std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.size() > 64) continue;
    if (line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string::npos)
      continue;
    names.push_back(line);
  }
  return names;
}

void kvm_boot_probe(const vmm::HostConfig& config, const vmm::BackendChoice& backend,
                    std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  const GuestImage image = resolve_guest_image(config);
  ProbeDir dir(config.probe_cache_dir / "kvm-probe");
  vmm::VmConfig vm;
  vm.kernel = image.kernel;
  vm.initramfs = image.initramfs;
  vm.kernel_params = image.kernel_params;
  vm.vcpus = 1;
  vm.memory_mib = config.default_memory_mib;
  vm.work_dir = dir.path();
  vm.console_log = dir.path() / "console.log";
  auto hypervisor = vmm::make_hypervisor(backend, config);
  try {
    hypervisor->boot(vm);
    agent::AgentClient agent(hypervisor->connect_agent(left(until)));
    agent.wait_ready(left(until));
  } catch (const Error&) {
    hypervisor->shutdown(0ms);
    if (Clock::now() < until) throw;  // the VMM's own words (an abort, a refusal)
    const std::string last = vmm::console_tail(vm.console_log);
    throw Error(
        "no sign of life from the guest within " + std::to_string(deadline.count() / 1000) +
        " s (" +
        (last.empty() ? std::string("the console stayed silent") : "last console line: " + last) +
        ")");
  }
  hypervisor->shutdown(0ms);
}

vmm::KvmJudge host_kvm_judge(const vmm::HostConfig& config) {
  return [config](const vmm::BackendChoice& candidate) {
    const GuestImage image = resolve_guest_image(config);
    return vmm::make_kvm_judge(
        config, image.kernel, image.initramfs,
        [&config](const vmm::BackendChoice& backend, std::chrono::milliseconds deadline) {
          kvm_boot_probe(config, backend, deadline);
        })(candidate);
  };
}

vmm::BackendChoice choose_vm_backend(const vmm::HostConfig& config) {
  return vmm::choose_backend(config, host_kvm_judge(config));
}

std::string fallback_warning(const vmm::BackendChoice& choice) {
  if (choice.kvm && choice.kvm->probed_now && !choice.kvm->usable)
    return "falling back to " + choice.reason;
  return {};
}

VmHost resolve_vm_host() {
  VmHost host;
  host.config = vmm::load_host_config();
  for (std::string* binary : {&host.config.qemu_binary, &host.config.cloud_hypervisor_binary,
                              &host.config.virtiofsd_binary})
    if (std::string found = vmm::find_executable(*binary); !found.empty()) *binary = found;
  host.image = resolve_guest_image(host.config);
  host.backend = choose_vm_backend(host.config);
  return host;
}

}  // namespace chrunc::runtime
