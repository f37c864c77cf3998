// `check` (ch-runc only): what this host can run, and why not — the
// hypervisor ch-runc would pick, KVM, the binaries and the guest image.
#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::cmd {

void add_check_command(CLI::App& app, ParsedCommand& out) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* check = app.add_subcommand(
      "check", "print what this host can run (hypervisor, KVM, binaries, guest image) and why not");
  add_arguments(*check, *args);
  check->callback([args, &out] {
    require_exact_args(*args, "check", 0);
    out.command = Command::kCheck;
  });
}

int run_check(const ParsedCommand&) {
  const vmm::HostConfig config = vmm::load_host_config();
  const std::string report = vmm::describe_host(config);
  std::fwrite(report.data(), 1, report.size(), stdout);
  if (!report.empty() && report.back() != '\n') std::fputc('\n', stdout);
  return 0;
}

}  // namespace chrunc::cmd
