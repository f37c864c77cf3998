// `ps`: runc's ps.go. Arguments after the container id are ps options
// (table format), understood by runtime/cli/ps_table.hpp.
#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"

namespace chrunc::cmd {

void add_ps_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<PsOptions>();
  CLI::App* sub = app.add_subcommand("ps", "ps displays the processes running inside a container");
  sub->add_option("-f,--format", s->format, "select one of: table or json (default: \"table\")");
  sub->footer(
      "ps options after the container id (table format) select the columns, as ps does: "
      "-o FIELD[,FIELD...], -O FIELDS, -f, -e/-A; fields pid, ppid, uid, user, stat, s, time, "
      "comm, args, cmd. The table's pids are as the guest sees them; json lists the host pids "
      "in the container's cgroup (monitor, VMM, virtiofsd and a host stand-in per guest "
      "process, showing its command line), as runc. See ch-runc-ps(8).");
  stop_flags_at_first_argument(*sub);
  sub->callback([s, sub, &out] {
    std::vector<std::string> args = arguments_after_flags(*sub);
    require_min_args(args, "ps", 1);
    if (s->format != "table" && s->format != "json") {
      throw Error("invalid format option");
    }
    PsOptions options = *s;
    options.id = args[0];
    options.ps_args.assign(args.begin() + 1, args.end());
    out.command = Command::kPs;
    out.options = std::move(options);
  });
}

int run_ps(const ParsedCommand& parsed) {
  const auto& o = std::get<PsOptions>(parsed.options);
  std::string text = runtime::list_processes(parsed.global, o.id, o.format, o.ps_args);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace chrunc::cmd
