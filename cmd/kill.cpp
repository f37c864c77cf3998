// `kill`: runc's kill.go.
#include <memory>

#include "cmd/command_groups.hpp"
#include "cmd/signal_names.hpp"

namespace chrunc::cmd {
namespace {
struct KillScratch {
  KillOptions options;
  std::vector<std::string> args;
};
}  // namespace

void add_kill_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<KillScratch>();
  CLI::App* sub = app.add_subcommand(
      "kill", "kill sends the specified signal (default: SIGTERM) to the container's init process");
  sub->add_flag("-a,--all", s->options.all,
                "send the specified signal to all processes inside the container");
  add_arguments(*sub, s->args);
  sub->callback([s, &out] {
    require_min_args(s->args, "kill", 1);
    require_max_args(s->args, "kill", 2);
    s->options.id = s->args[0];
    s->options.signal = s->args.size() > 1 ? parse_signal(s->args[1]) : SIGTERM;
    out.command = Command::kKill;
    out.options = s->options;
  });
}

int run_kill(const ParsedCommand& parsed) {
  const auto& o = std::get<KillOptions>(parsed.options);
  runtime::kill_container(parsed.global, o.id, o.signal, o.all);
  return 0;
}

}  // namespace chrunc::cmd
