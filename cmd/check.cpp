// `check` (ch-runc only): what this host can run, and why not — the
// hypervisor ch-runc would pick, whether KVM runs the guest (the probe's
// verdict, run now or read from its cache), the binaries and the guest image.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"
#include "runtime/cli/lifecycle.hpp"

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

// The report comes from ch-runc-monitor (runtime/monitor/host_check.hpp): the probe
// boots a VM, which the CLI binary carries no code for.
int run_check(const ParsedCommand& parsed) {
  const std::string program = runtime::monitor_binary().string();
  std::vector<std::string> args = {runtime::kMonitorBinary, runtime::kCheckCommand};
  if (std::get<CheckOptions>(parsed.options).reprobe) args.emplace_back("--reprobe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(program.c_str(), argv.data());
  throw_errno("exec " + program);
}

}  // namespace chrunc::cmd
