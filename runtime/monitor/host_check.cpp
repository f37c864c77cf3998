#include "runtime/monitor/host_check.hpp"

#include <cstdio>
#include <exception>
#include <string_view>

#include "common/error.hpp"
#include "common/log.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "vmm/host_config.hpp"
#include "vmm/kvm_verdict.hpp"

namespace chrunc::runtime {

int host_check_main(int argc, char** argv) {
  try {
    bool reprobe = false;
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) != "--reprobe")
        throw Error(std::string("check: unknown argument ") + argv[i]);
      reprobe = true;
    }
    const vmm::HostConfig config = vmm::load_host_config();
    if (reprobe) vmm::forget_kvm_verdicts(config.probe_cache_dir / "kvm-probe");
    const std::string report = vmm::describe_host(config, host_kvm_judge(config));
    std::fwrite(report.data(), 1, report.size(), stdout);
    if (!report.empty() && report.back() != '\n') std::fputc('\n', stdout);
    return 0;
  } catch (const std::exception& e) {
    log_error(e.what());
    return 1;
  }
}

}  // namespace chrunc::runtime
