// `state` and `list`: runc's state.go and list.go, answered from the state
// store (no engine needed).
#include <cstdio>
#include <memory>

#include "cmd/command_groups.hpp"
#include "cmd/list_table.hpp"
#include "common/error.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::cmd {
namespace {

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

void add_state_list_commands(CLI::App& app, ParsedCommand& out) {
  auto state_args = std::make_shared<std::vector<std::string>>();
  CLI::App* state = app.add_subcommand("state", "output the state of a container");
  add_arguments(*state, *state_args);
  state->callback([state_args, &out] {
    require_exact_args(*state_args, "state", 1);
    out.command = Command::kState;
    out.options = IdOptions{(*state_args)[0]};
  });

  struct ListScratch {
    ListOptions options;
    std::vector<std::string> args;
  };
  auto l = std::make_shared<ListScratch>();
  CLI::App* list =
      app.add_subcommand("list", "lists containers started by runc with the given root");
  list->add_option("-f,--format", l->options.format,
                   "select one of: table or json (default: \"table\")");
  list->add_flag("-q,--quiet", l->options.quiet, "display only container IDs");
  add_arguments(*list, l->args);
  list->callback([l, &out] {
    require_exact_args(l->args, "list", 0);
    if (l->options.format != "table" && l->options.format != "json") {
      throw Error("invalid format option");
    }
    out.command = Command::kList;
    out.options = l->options;
  });
}

int run_state_list(const ParsedCommand& parsed) {
  runtime::StateStore store(parsed.global.root);
  if (parsed.command == Command::kState) {
    print(
        oci::write_state(runtime::container_state(store, std::get<IdOptions>(parsed.options).id)));
    return 0;
  }
  const auto& o = std::get<ListOptions>(parsed.options);
  std::vector<oci::State> states = runtime::list_states(store);
  if (o.quiet) {
    for (const oci::State& s : states) print(s.id + "\n");
  } else if (o.format == "json") {
    print(oci::write_state_list(states));
  } else {
    print(format_list_table(states));
  }
  return 0;
}

}  // namespace chrunc::cmd
