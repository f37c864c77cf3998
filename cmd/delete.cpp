// `delete`: runc's delete.go.
#include <memory>

#include "cmd/command_groups.hpp"

namespace chrunc::cmd {
namespace {
struct DeleteScratch {
  DeleteOptions options;
  std::vector<std::string> args;
};
}  // namespace

void add_delete_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<DeleteScratch>();
  CLI::App* sub = app.add_subcommand(
      "delete", "delete any resources held by the container often used with detached container");
  sub->add_flag("-f,--force", s->options.force,
                "Forcibly deletes the container if it is still running (uses SIGKILL)");
  add_arguments(*sub, s->args);
  sub->callback([s, &out] {
    require_exact_args(s->args, "delete", 1);
    s->options.id = s->args[0];
    out.command = Command::kDelete;
    out.options = s->options;
  });
}

int run_delete(const ParsedCommand& parsed) {
  const auto& o = std::get<DeleteOptions>(parsed.options);
  runtime::delete_container(parsed.global, o.id, o.force);
  return 0;
}

}  // namespace chrunc::cmd
