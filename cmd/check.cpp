// `check` (ch-runc only): what this host can run, and why not — the
// hypervisor ch-runc would pick, whether KVM runs the guest (the probe's
// verdict, run now or read from its cache), the binaries and the guest image.
#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "runtime/vm_backend.hpp"
#include "vmm/host_config.hpp"
#include "vmm/kvm_verdict.hpp"

namespace chrunc::cmd {

void add_check_command(CLI::App& app, ParsedCommand& out) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto reprobe = std::make_shared<bool>(false);
  CLI::App* check = app.add_subcommand(
      "check",
      "print what this host can run (hypervisor, whether KVM runs the guest, binaries, guest "
      "image) and why not");
  check->add_flag("--reprobe", *reprobe,
                  "forget the cached KVM verdict and boot the guest under KVM again");
  add_arguments(*check, *args);
  check->callback([args, reprobe, &out] {
    require_exact_args(*args, "check", 0);
    out.command = Command::kCheck;
    out.options = CheckOptions{*reprobe};
  });
}

int run_check(const ParsedCommand& parsed) {
  const vmm::HostConfig config = vmm::load_host_config();
  if (std::get<CheckOptions>(parsed.options).reprobe)
    vmm::forget_kvm_verdicts(config.probe_cache_dir / "kvm-probe");
  const std::string report = vmm::describe_host(config, runtime::host_kvm_judge(config));
  std::fwrite(report.data(), 1, report.size(), stdout);
  if (!report.empty() && report.back() != '\n') std::fputc('\n', stdout);
  return 0;
}

}  // namespace chrunc::cmd
