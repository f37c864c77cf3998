#pragma once
// The ch-runc command line, parsed: runc's global flags, which command, and
// that command's options. parse_command_line() does no I/O; run_command()
// carries the command out (through runtime/cli/lifecycle.hpp, or directly for
// state, list, spec and features).

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "common/error.hpp"
#include "runtime/cli/lifecycle.hpp"

namespace chrunc::cmd {

enum class Command {
  kHelp,     // --help/-h, `help [command]`, or no command: print `output`
  kVersion,  // --version/-v: print `output`
  kCheckpoint,
  kCreate,
  kDelete,
  kEvents,
  kExec,
  kKill,
  kList,
  kPause,
  kPs,
  kRestore,
  kResume,
  kRun,
  kSpec,
  kStart,
  kState,
  kUpdate,
  kFeatures,
  kCheck,
  kPool,
};

// start, state, pause, resume.
struct IdOptions {
  std::string id;
};

struct KillOptions {
  std::string id;
  int signal = SIGTERM;  // [signal]: a number, or a name with or without SIG, any case
  bool all = false;      // --all/-a
};

struct DeleteOptions {
  std::string id;
  bool force = false;  // --force/-f
};

struct ExecCommandOptions {
  runtime::ExecOptions exec;
  std::vector<std::string> cgroups;  // --cgroup (runc 1.1); refused: no host sub-cgroups per exec
};

struct PsOptions {
  std::string id;
  std::string format = "table";  // --format/-f table|json
  std::vector<std::string> ps_args;
};

struct ListOptions {
  std::string format = "table";  // --format/-f table|json
  bool quiet = false;            // --quiet/-q
};

struct EventsOptions {
  std::string id;
  bool stats = false;                        // --stats
  std::chrono::milliseconds interval{5000};  // --interval (Go duration: 5s, 500ms, 1m)
};

struct UpdateCommandOptions {
  runtime::UpdateOptions update;
  std::string l3_cache_schema;  // --l3-cache-schema (Intel RDT: refused in a VM)
  std::string mem_bw_schema;    // --mem-bw-schema   (Intel RDT: refused in a VM)
};

struct SpecOptions {
  std::string bundle;     // --bundle/-b ("" = current directory)
  bool rootless = false;  // --rootless
};

struct CheckOptions {
  bool reprobe = false;  // --reprobe: forget the cached KVM verdict first
};

// `pool status|fill [--wait]|drain` (ch-runc only).
struct PoolOptions {
  std::string verb;
  bool wait = false;  // fill --wait
};

struct CheckpointOptions {
  std::string id;
  std::string image_path, work_path, parent_path;
  bool leave_running = false, tcp_established = false, ext_unix_sk = false, shell_job = false,
       lazy_pages = false, file_locks = false, pre_dump = false, auto_dedup = false;
  int status_fd = -1;
  std::string page_server;
  std::string manage_cgroups_mode;
  std::vector<std::string> empty_ns;
};

struct RestoreOptions {
  std::string id;
  std::string console_socket, image_path, work_path;
  bool tcp_established = false, ext_unix_sk = false, shell_job = false, file_locks = false;
  std::string manage_cgroups_mode;
  std::string bundle;
  bool detach = false;
  std::string pid_file;
  bool no_subreaper = false, no_pivot = false;
  std::vector<std::string> empty_ns;
  bool auto_dedup = false, lazy_pages = false;
  std::string lsm_profile, lsm_mount_context;
};

using CommandOptions =
    std::variant<std::monostate, IdOptions, runtime::CreateOptions, runtime::RunOptions,
                 KillOptions, DeleteOptions, ExecCommandOptions, PsOptions, ListOptions,
                 EventsOptions, UpdateCommandOptions, SpecOptions, CheckpointOptions,
                 RestoreOptions, CheckOptions, PoolOptions>;

struct ParsedCommand {
  runtime::GlobalOptions global;  // global.rootless: --rootless true, or auto as non-root
  std::string rootless = "auto";  // --rootless as given: true|false|auto
  std::string criu = "criu";      // --criu (accepted, unused)
  Command command = Command::kHelp;
  CommandOptions options;
  std::string output;  // kHelp / kVersion: the text to print on stdout
};

// A usage error, carrying the global flags parsed before it so that the error
// can still be logged where --log/--log-format asked.
class UsageError : public Error {
 public:
  UsageError(const std::string& message, runtime::GlobalOptions global)
      : Error(message), global_(std::move(global)) {}
  const runtime::GlobalOptions& global() const noexcept { return global_; }

 private:
  runtime::GlobalOptions global_;
};

// Parses argv the way runc 1.1.5 does. Throws UsageError with a one-line
// message for every usage error (unknown command or flag, wrong number of
// arguments, bad values such as an unknown signal).
ParsedCommand parse_command_line(int argc, const char* const* argv);

// Runs the command; returns the process exit code. Throws chrunc::Error.
int run_command(const ParsedCommand& parsed);

}  // namespace chrunc::cmd
