// The root of the command line: runc's global flags, the commands (each
// registered by its group's file), `help`, and CLI11's errors turned into
// runc's one-line usage errors.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "build_config.hpp"
#include "cmd/command_groups.hpp"
#include "cmd/version_text.hpp"

namespace chrunc::cmd {
namespace {

constexpr const char* kDescription =
    "ch-runc is an OCI runtime, a drop-in for runc, that runs each container in its own\n"
    "lightweight virtual machine (cloud-hypervisor with KVM, or QEMU microvm).";

[[noreturn]] void throw_usage(const std::string& message, const runtime::GlobalOptions& global) {
  throw UsageError(message, global);
}

std::string args_error(const char* command, const char* kind, size_t count) {
  return std::string("ch-runc: \"") + command + "\" requires " + kind + " " +
         std::to_string(count) + " argument(s)";
}

// runc's --rootless: true, false or auto (Go's strconv.ParseBool spellings).
bool rootless_from(const std::string& value) {
  if (value == "auto") return ::geteuid() != 0;
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (value == yes) return true;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (value == no) return false;
  }
  throw Error("invalid value \"" + value + "\" for --rootless: want true, false or auto");
}

void add_help_command(CLI::App& app, ParsedCommand& out) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* help = app.add_subcommand("help", "Shows a list of commands or help for one command");
  help->alias("h");
  add_arguments(*help, *args);
  help->callback([args, &app, &out] {
    out.command = Command::kHelp;
    if (args->empty()) {
      // app.help() would describe the selected subcommand: `help` itself.
      out.output = app.get_formatter()->make_help(&app, "ch-runc", CLI::AppFormatMode::Normal);
      return;
    }
    const std::string& name = (*args)[0];
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->check_name(name) && sub->get_name() != "help") {
        out.output = sub->help();
        return;
      }
    }
    throw Error("No help topic for '" + name + "'");
  });
}

std::string translate_extras(const CLI::App& app, const std::vector<std::string>& extras) {
  const std::string& first = extras.front();
  if (!first.empty() && first[0] == '-') return "flag provided but not defined: " + first;
  return "No help topic for '" + first + "'";
}

}  // namespace

void require_exact_args(const std::vector<std::string>& args, const char* command, size_t count) {
  if (args.size() != count) throw Error(args_error(command, "exactly", count));
}

void require_min_args(const std::vector<std::string>& args, const char* command, size_t count) {
  if (args.size() < count) throw Error(args_error(command, "a minimum of", count));
}

void require_max_args(const std::vector<std::string>& args, const char* command, size_t count) {
  if (args.size() > count) throw Error(args_error(command, "a maximum of", count));
}

CLI::Option* add_arguments(CLI::App& sub, std::vector<std::string>& args) {
  return sub.add_option("args", args)->group("");
}

void stop_flags_at_first_argument(CLI::App& sub) {
  sub.prefix_command();
}

std::vector<std::string> arguments_after_flags(CLI::App& sub) {
  std::vector<std::string> words = sub.remaining();
  // CLI11 hands a `--` met before the id back to the root, with all that follows
  // (the root collects extras, see parse_command_line).
  std::vector<std::string> handed_back = sub.get_parent()->remaining();
  words.insert(words.end(), handed_back.begin(), handed_back.end());
  if (!words.empty() && words[0] != "--" && words[0].size() > 1 && words[0][0] == '-') {
    throw Error("flag provided but not defined: " + words[0]);
  }
  if (!words.empty() && words[0] == "--") {
    words.erase(words.begin());
  } else if (words.size() > 1 && words[1] == "--") {
    words.erase(words.begin() + 1);
  }
  return words;
}

ParsedCommand parse_command_line(int argc, const char* const* argv) {
  ParsedCommand out;
  std::string root = build::kDefaultRoot;
  bool version = false;

  CLI::App app(kDescription, "ch-runc");
  app.set_help_flag("-h,--help", "show help");
  app.require_subcommand(0, 1);
  app.add_flag("--debug", out.global.debug, "enable debug logging");
  app.add_option("--log", out.global.log_path,
                 "set the log file to write ch-runc logs to (default is '/dev/stderr')");
  app.add_option("--log-format", out.global.log_format,
                 "set the log format ('text' (default), or 'json') (default: \"text\")");
  app.add_option("--root", root,
                 std::string("root directory for storage of container state (this should be "
                             "located in tmpfs) (default: \"") +
                     build::kDefaultRoot + "\")");
  app.add_option("--criu", out.criu,
                 "path to the criu binary used for checkpoint and restore (default: \"criu\"; "
                 "accepted and unused)");
  app.add_flag("--systemd-cgroup", out.global.systemd_cgroup,
               "enable systemd cgroup support, expects cgroupsPath to be of form "
               "\"slice:prefix:name\" for e.g. \"system.slice:runc:434234\"");
  app.add_option("--rootless", out.rootless,
                 "ignore cgroup permission errors ('true', 'false', or 'auto') (default: "
                 "\"auto\")");
  app.add_flag("-v,--version", version, "print the version");

  add_checkpoint_restore_commands(app, out);
  add_create_run_commands(app, out);
  add_delete_command(app, out);
  add_events_command(app, out);
  add_exec_command(app, out);
  add_kill_command(app, out);
  add_state_list_commands(app, out);
  add_pause_resume_commands(app, out);
  add_ps_command(app, out);
  add_start_command(app, out);
  add_update_command(app, out);
  add_spec_features_commands(app, out);
  add_check_command(app, out);
  add_pool_command(app, out);
  add_help_command(app, out);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->set_help_flag("-h,--help", "show help");
  }
  // Set after the subcommands exist, so that they do not inherit it: the root
  // collects what is left over, checked below (exec and ps take theirs).
  app.allow_extras();

  auto globals = [&] {
    runtime::GlobalOptions g = out.global;
    g.root = root;
    return g;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.command = Command::kHelp;
    out.output = app.help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.command = Command::kHelp;
    out.output = app.help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::ExtrasError& e) {
    std::vector<std::string> extras = app.remaining();
    for (CLI::App* sub : app.get_subcommands()) {
      auto more = sub->remaining();
      extras.insert(extras.end(), more.begin(), more.end());
    }
    throw_usage(extras.empty() ? e.what() : translate_extras(app, extras), globals());
  } catch (const CLI::ParseError& e) {
    throw_usage(e.what(), globals());
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw_usage(e.what(), globals());
  }

  if (out.command != Command::kExec && out.command != Command::kPs && !app.remaining().empty()) {
    throw_usage(translate_extras(app, app.remaining()), globals());
  }
  try {
    out.global.root = std::filesystem::absolute(root).lexically_normal();
    if (out.global.log_format != "text" && out.global.log_format != "json") {
      throw Error("invalid log-format: " + out.global.log_format);
    }
    out.global.rootless = rootless_from(out.rootless);
  } catch (const Error& e) {
    throw_usage(e.what(), globals());
  }
  if (version) {
    out.command = Command::kVersion;
    out.options = std::monostate{};
    out.output = version_text();
  } else if (app.get_subcommands().empty()) {
    out.command = Command::kHelp;
    out.output = app.help();
  }
  return out;
}

}  // namespace chrunc::cmd
