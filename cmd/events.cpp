// `events`: runc's events.go.
#include <memory>

#include "cmd/command_groups.hpp"
#include "cmd/value_parsers.hpp"
#include "common/error.hpp"

namespace chrunc::cmd {
namespace {
struct EventsScratch {
  EventsOptions options;
  std::string interval = "5s";
  std::vector<std::string> args;
};
}  // namespace

void add_events_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<EventsScratch>();
  CLI::App* sub = app.add_subcommand(
      "events",
      "display container events such as OOM notifications, cpu, memory, and IO usage "
      "statistics");
  sub->add_option("--interval", s->interval, "set the stats collection interval (default: 5s)");
  sub->add_flag("--stats", s->options.stats, "display the container's stats then exit");
  add_arguments(*sub, s->args);
  sub->callback([s, &out] {
    require_exact_args(s->args, "events", 1);
    auto interval = parse_go_duration(s->interval, "--interval");
    if (interval <= std::chrono::nanoseconds(0)) {
      throw Error("duration interval must be greater than 0");
    }
    EventsOptions options = s->options;
    options.id = s->args[0];
    options.interval = std::chrono::ceil<std::chrono::milliseconds>(interval);
    out.command = Command::kEvents;
    out.options = options;
  });
}

int run_events(const ParsedCommand& parsed) {
  const auto& o = std::get<EventsOptions>(parsed.options);
  // The engine samples in whole seconds; a sub-second interval becomes 1s.
  auto seconds = std::chrono::ceil<std::chrono::seconds>(o.interval);
  if (seconds < std::chrono::seconds(1)) seconds = std::chrono::seconds(1);
  runtime::stream_events(parsed.global, o.id, o.stats, seconds);
  return 0;
}

}  // namespace chrunc::cmd
