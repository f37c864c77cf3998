// `pause` and `resume`: runc's pause.go.
#include <memory>

#include "cmd/command_groups.hpp"

namespace chrunc::cmd {
namespace {

void add_id_command(CLI::App& app, ParsedCommand& out, const char* name, const char* help,
                    Command command) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand(name, help);
  add_arguments(*sub, *args);
  sub->callback([args, &out, name, command] {
    require_exact_args(*args, name, 1);
    out.command = command;
    out.options = IdOptions{(*args)[0]};
  });
}

}  // namespace

void add_pause_resume_commands(CLI::App& app, ParsedCommand& out) {
  add_id_command(app, out, "pause", "pause suspends all processes inside the container",
                 Command::kPause);
  add_id_command(app, out, "resume", "resumes all processes that have been previously paused",
                 Command::kResume);
}

int run_pause_resume(const ParsedCommand& parsed) {
  const std::string& id = std::get<IdOptions>(parsed.options).id;
  if (parsed.command == Command::kPause) {
    runtime::pause_container(parsed.global, id);
  } else {
    runtime::resume_container(parsed.global, id);
  }
  return 0;
}

}  // namespace chrunc::cmd
