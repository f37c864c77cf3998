// vm-floor: the benchmarks' floor for one container's life. Boots the same
// hypervisor, kernel and initramfs as ch-runc (host config, same backend and
// command line) with the agent told to power off as soon as it starts, and
// prints the seconds from spawning the VMM to the VMM's exit. No runtime,
// no virtiofsd, no agent connection.
//   vm-floor [--ready] [KERNEL INITRAMFS]
// --ready: the agent powers off once it is ready to serve (modules loaded,
// tmpfs root, host transport open) instead of at /init. KERNEL INITRAMFS:
// boot that image instead of the host config's (bench/ compares kernels).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "agent/transport_names.hpp"
#include "common/error.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "vmm/host_config.hpp"
#include "vmm/hypervisor.hpp"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  namespace fs = std::filesystem;
  bool ready = false;
  std::vector<std::string> image_args;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ready") == 0)
      ready = true;
    else
      image_args.emplace_back(argv[i]);
  }
  if (!image_args.empty() && image_args.size() != 2) {
    std::fprintf(stderr, "usage: vm-floor [--ready] [KERNEL INITRAMFS]\n");
    return 2;
  }
  try {
    const chrunc::vmm::HostConfig config = chrunc::vmm::load_host_config();
    char tmpl[] = "/tmp/ch-runc-floor.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) chrunc::throw_errno("mkdtemp");
    const fs::path work_dir = tmpl;
    chrunc::vmm::VmConfig vm;
    const auto image = chrunc::runtime::resolve_guest_image(config);
    vm.kernel = image_args.empty() ? image.kernel : fs::path(image_args[0]);
    vm.initramfs = image_args.empty() ? image.initramfs : fs::path(image_args[1]);
    // The boot parameters this kernel takes, as the runtime passes them.
    vm.kernel_params =
        image_args.empty() ? image.kernel_params : chrunc::runtime::kernel_params_beside(vm.kernel);
    vm.kernel_cmdline_extra = ready ? chrunc::agent::kPowerOffWhenReadyCmdlineFlag
                                    : chrunc::agent::kPowerOffAtInitCmdlineFlag;
    vm.vcpus = config.default_vcpus;
    vm.memory_mib = config.default_memory_mib;
    vm.work_dir = work_dir;
    vm.console_log = work_dir / "console.log";
    // The backend ch-runc itself would use (KVM only where the probe's verdict says it runs).
    const auto backend = chrunc::runtime::choose_vm_backend(config);
    std::fprintf(stderr, "vm-floor: %s\n", backend.reason.c_str());
    auto hypervisor = chrunc::vmm::make_hypervisor(backend, config);
    const auto start = Clock::now();
    hypervisor->boot(vm);
    const auto deadline = start + std::chrono::seconds(120);
    while (hypervisor->alive()) {
      if (Clock::now() > deadline)
        throw chrunc::Error("vm-floor: the VM did not power off within 120 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    hypervisor->shutdown(std::chrono::milliseconds(0));
    fs::remove_all(work_dir);
    std::printf("%.3f\n", seconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vm-floor: %s\n", e.what());
    return 1;
  }
}
