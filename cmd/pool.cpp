// `pool status|fill [--wait]|drain` (ch-runc only): the warm pool of booted
// VMs (docs/warm-pool.md, man/ch-runc-pool.8.md). Run by ch-runc-monitor
// (runtime/pool/pool_command.hpp): filling the pool resolves the VMM.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"
#include "runtime/cli/lifecycle.hpp"

namespace chrunc::cmd {

void add_pool_command(CLI::App& app, ParsedCommand& out) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto wait = std::make_shared<bool>(false);
  CLI::App* pool = app.add_subcommand(
      "pool", "the warm pool of booted VMs: status, fill [--wait], drain (ch-runc.yaml pool:)");
  pool->add_flag("--wait", *wait, "fill: wait until every standby started is ready (or dead)");
  add_arguments(*pool, *args);
  pool->callback([args, wait, &out] {
    require_exact_args(*args, "pool", 1);
    const std::string& verb = (*args)[0];
    if (verb != "status" && verb != "fill" && verb != "drain")
      throw Error("unknown pool command \"" + verb + "\" (status, fill, drain)");
    if (*wait && verb != "fill") throw Error("--wait goes with fill only");
    out.command = Command::kPool;
    out.options = PoolOptions{verb, *wait};
  });
}

int run_pool(const ParsedCommand& parsed) {
  const auto& options = std::get<PoolOptions>(parsed.options);
  const std::string program = runtime::monitor_binary().string();
  std::vector<std::string> args = {runtime::kMonitorBinary, "pool", options.verb};
  if (options.wait) args.emplace_back("--wait");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(program.c_str(), argv.data());
  throw_errno("exec " + program);
}

}  // namespace chrunc::cmd
