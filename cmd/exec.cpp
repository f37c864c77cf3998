// `exec`: runc's exec.go. Like runc, flags come before the container id;
// everything after the id is the command and its arguments, untouched
// (`exec ID ls -l`). A `--` before the id, or right after it, is dropped.
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"

namespace chrunc::cmd {
namespace {
struct ExecScratch {
  ExecCommandOptions options;
};
}  // namespace

void add_exec_command(CLI::App& app, ParsedCommand& out) {
  auto s = std::make_shared<ExecScratch>();
  runtime::ExecOptions& o = s->options.exec;
  CLI::App* sub = app.add_subcommand("exec", "execute new process inside the container");
  sub->add_option("--console-socket", o.console_socket,
                  "path to an AF_UNIX socket which will receive a file descriptor referencing "
                  "the master end of the console's pseudoterminal");
  sub->add_option("--cwd", o.cwd, "current working directory in the container");
  sub->add_option("-e,--env", o.env, "set environment variables")->allow_extra_args(false);
  sub->add_flag("-t,--tty", o.tty, "allocate a pseudo-TTY");
  sub->add_option("-u,--user", o.user, "UID (format: <uid>[:<gid>])");
  sub->add_option("-g,--additional-gids", o.additional_gids, "additional gids")
      ->allow_extra_args(false);
  sub->add_option("-p,--process", o.process_file, "path to the process.json");
  sub->add_flag("-d,--detach", o.detach, "detach from the container's process");
  sub->add_option("--pid-file", o.pid_file, "specify the file to write the process id to");
  sub->add_option("--process-label", o.process_label,
                  "set the asm process label for the process commonly used with selinux");
  sub->add_option("--apparmor", o.apparmor, "set the apparmor profile for the process");
  sub->add_flag("--no-new-privs", o.no_new_privs,
                "set the no new privileges value for the process");
  sub->add_option("-c,--cap", o.caps, "add a capability to the bounding set for the process")
      ->allow_extra_args(false);
  sub->add_option("--preserve-fds", o.preserve_fds,
                  "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N "
                  "in total) (default: 0)");
  sub->add_option("--cgroup", s->options.cgroups,
                  "run the process in an (existing) sub-cgroup(s). Format is "
                  "[<controller>:]<cgroup>.")
      ->allow_extra_args(false);
  sub->add_flag("--ignore-paused", o.ignore_paused, "allow exec in a paused container");
  // Stop at the container id: what follows belongs to the process.
  stop_flags_at_first_argument(*sub);
  sub->callback([s, sub, &out] {
    std::vector<std::string> args = arguments_after_flags(*sub);
    require_min_args(args, "exec", 1);
    ExecCommandOptions options = s->options;
    options.exec.id = args[0];
    options.exec.args.assign(args.begin() + 1, args.end());
    if (options.exec.args.empty() && options.exec.process_file.empty()) {
      throw Error(
          "exec: args must not be empty (give a command after the container id, or "
          "--process FILE)");
    }
    out.command = Command::kExec;
    out.options = std::move(options);
  });
}

// Any failure to run the process exits 255 with "exec failed: ...", as runc's
// exec does (engines map that status and message to 126/127).
int run_exec(const ParsedCommand& parsed) {
  const auto& o = std::get<ExecCommandOptions>(parsed.options);
  try {
    if (!o.cgroups.empty()) {
      throw Error(
          "exec --cgroup is not supported by ch-runc: the process runs inside the "
          "container's VM, not in a host sub-cgroup");
    }
    return runtime::exec_process(parsed.global, o.exec);
  } catch (const Error& e) {
    throw ExitStatusError(std::string("exec failed: ") + e.what(), 255);
  }
}

}  // namespace chrunc::cmd
