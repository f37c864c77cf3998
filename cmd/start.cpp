// `start`: runc's start.go.
#include <memory>

#include "cmd/command_groups.hpp"

namespace chrunc::cmd {

void add_start_command(CLI::App& app, ParsedCommand& out) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* sub =
      app.add_subcommand("start", "executes the user defined process in a created container");
  add_arguments(*sub, *args);
  sub->callback([args, &out] {
    require_exact_args(*args, "start", 1);
    out.command = Command::kStart;
    out.options = IdOptions{(*args)[0]};
  });
}

int run_start(const ParsedCommand& parsed) {
  runtime::start_container(parsed.global, std::get<IdOptions>(parsed.options).id);
  return 0;
}

}  // namespace chrunc::cmd
