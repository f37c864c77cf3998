// `create` and `run`: runc's create.go and run.go.
#include <memory>

#include "cmd/command_groups.hpp"

namespace chrunc::cmd {
namespace {

// create's flags, shared by run (runc orders them differently per command; see below).
void add_bundle_and_console(CLI::App& sub, runtime::CreateOptions& o) {
  sub.add_option("-b,--bundle", o.bundle,
                 "path to the root of the bundle directory, defaults to the current directory");
  sub.add_option("--console-socket", o.console_socket,
                 "path to an AF_UNIX socket which will receive a file descriptor referencing the "
                 "master end of the console's pseudoterminal");
}

void add_pivot_keyring_fds(CLI::App& sub, runtime::CreateOptions& o) {
  sub.add_flag("--no-pivot", o.no_pivot,
               "do not use pivot root to jail process inside rootfs.  This should be used "
               "whenever the rootfs is on top of a ramdisk");
  sub.add_flag("--no-new-keyring", o.no_new_keyring,
               "do not create a new session keyring for the container.  This will cause the "
               "container to inherit the calling processes session key");
  sub.add_option("--preserve-fds", o.preserve_fds,
                 "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in "
                 "total) (default: 0)");
}

struct CreateScratch {
  runtime::CreateOptions create;
  std::vector<std::string> args;
};

struct RunScratch {
  runtime::RunOptions run;
  std::vector<std::string> args;
};

}  // namespace

void add_create_run_commands(CLI::App& app, ParsedCommand& out) {
  auto c = std::make_shared<CreateScratch>();
  CLI::App* create = app.add_subcommand("create", "create a container");
  add_bundle_and_console(*create, c->create);
  create->add_option("--pid-file", c->create.pid_file,
                     "specify the file to write the process id to");
  add_pivot_keyring_fds(*create, c->create);
  add_arguments(*create, c->args);
  create->callback([c, &out] {
    require_exact_args(c->args, "create", 1);
    c->create.id = c->args[0];
    out.command = Command::kCreate;
    out.options = c->create;
  });

  auto r = std::make_shared<RunScratch>();
  CLI::App* run = app.add_subcommand("run", "create and run a container");
  add_bundle_and_console(*run, r->run.create);
  run->add_flag("-d,--detach", r->run.detach, "detach from the container's process");
  run->add_flag("--keep", r->run.keep, "do not delete the container after it exits");
  run->add_option("--pid-file", r->run.create.pid_file,
                  "specify the file to write the process id to");
  run->add_flag("--no-subreaper", r->run.no_subreaper,
                "disable the use of the subreaper used to reap reparented processes");
  add_pivot_keyring_fds(*run, r->run.create);
  add_arguments(*run, r->args);
  run->callback([r, &out] {
    require_exact_args(r->args, "run", 1);
    r->run.create.id = r->args[0];
    out.command = Command::kRun;
    out.options = r->run;
  });
}

int run_create_run(const ParsedCommand& parsed) {
  if (parsed.command == Command::kCreate) {
    runtime::create_container(parsed.global, std::get<runtime::CreateOptions>(parsed.options));
    return 0;
  }
  return runtime::run_container(parsed.global, std::get<runtime::RunOptions>(parsed.options));
}

}  // namespace chrunc::cmd
