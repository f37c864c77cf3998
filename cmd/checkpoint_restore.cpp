// `checkpoint` and `restore`: runc's checkpoint.go and restore.go. Every flag
// is parsed; the commands then answer that ch-runc cannot do them yet (a VM
// snapshot is the way, not CRIU).
#include <memory>

#include "cmd/command_groups.hpp"
#include "common/error.hpp"

namespace chrunc::cmd {
namespace {

constexpr const char* kManageCgroupsHelp = "cgroups mode: 'soft' (default), 'full' and 'strict'";
constexpr const char* kNoPivotHelp =
    "do not use pivot root to jail process inside rootfs.  This should be used whenever the "
    "rootfs is on top of a ramdisk";

struct CheckpointScratch {
  CheckpointOptions options;
  std::vector<std::string> args;
};

struct RestoreScratch {
  RestoreOptions options;
  std::vector<std::string> args;
};

}  // namespace

void add_checkpoint_restore_commands(CLI::App& app, ParsedCommand& out) {
  auto c = std::make_shared<CheckpointScratch>();
  CheckpointOptions& co = c->options;
  CLI::App* checkpoint = app.add_subcommand("checkpoint", "checkpoint a running container");
  checkpoint->add_option("--image-path", co.image_path, "path for saving criu image files");
  checkpoint->add_option("--work-path", co.work_path, "path for saving work files and logs");
  checkpoint->add_option("--parent-path", co.parent_path,
                         "path for previous criu image files in pre-dump");
  checkpoint->add_flag("--leave-running", co.leave_running,
                       "leave the process running after checkpointing");
  checkpoint->add_flag("--tcp-established", co.tcp_established, "allow open tcp connections");
  checkpoint->add_flag("--ext-unix-sk", co.ext_unix_sk, "allow external unix sockets");
  checkpoint->add_flag("--shell-job", co.shell_job, "allow shell jobs");
  checkpoint->add_flag("--lazy-pages", co.lazy_pages,
                       "use userfaultfd to lazily restore memory pages");
  checkpoint->add_option("--status-fd", co.status_fd,
                         "criu writes \\0 to this FD once lazy-pages is ready (default: -1)");
  checkpoint->add_option("--page-server", co.page_server, "ADDRESS:PORT of the page server");
  checkpoint->add_flag("--file-locks", co.file_locks, "handle file locks, for safety");
  checkpoint->add_flag("--pre-dump", co.pre_dump,
                       "dump container's memory information only, leave the container running "
                       "after this");
  checkpoint->add_option("--manage-cgroups-mode", co.manage_cgroups_mode, kManageCgroupsHelp);
  checkpoint
      ->add_option("--empty-ns", co.empty_ns,
                   "create a namespace, but don't restore its properties")
      ->allow_extra_args(false);
  checkpoint->add_flag("--auto-dedup", co.auto_dedup, "enable auto deduplication of memory images");
  add_arguments(*checkpoint, c->args);
  checkpoint->callback([c, &out] {
    require_exact_args(c->args, "checkpoint", 1);
    c->options.id = c->args[0];
    out.command = Command::kCheckpoint;
    out.options = c->options;
  });

  auto r = std::make_shared<RestoreScratch>();
  RestoreOptions& ro = r->options;
  CLI::App* restore =
      app.add_subcommand("restore", "restore a container from a previous checkpoint");
  restore->add_option("--console-socket", ro.console_socket,
                      "path to an AF_UNIX socket which will receive a file descriptor "
                      "referencing the master end of the console's pseudoterminal");
  restore->add_option("--image-path", ro.image_path, "path to criu image files for restoring");
  restore->add_option("--work-path", ro.work_path, "path for saving work files and logs");
  restore->add_flag("--tcp-established", ro.tcp_established, "allow open tcp connections");
  restore->add_flag("--ext-unix-sk", ro.ext_unix_sk, "allow external unix sockets");
  restore->add_flag("--shell-job", ro.shell_job, "allow shell jobs");
  restore->add_flag("--file-locks", ro.file_locks, "handle file locks, for safety");
  restore->add_option("--manage-cgroups-mode", ro.manage_cgroups_mode, kManageCgroupsHelp);
  restore->add_option("-b,--bundle", ro.bundle, "path to the root of the bundle directory");
  restore->add_flag("-d,--detach", ro.detach, "detach from the container's process");
  restore->add_option("--pid-file", ro.pid_file, "specify the file to write the process id to");
  restore->add_flag("--no-subreaper", ro.no_subreaper,
                    "disable the use of the subreaper used to reap reparented processes");
  restore->add_flag("--no-pivot", ro.no_pivot, kNoPivotHelp);
  restore
      ->add_option("--empty-ns", ro.empty_ns,
                   "create a namespace, but don't restore its properties")
      ->allow_extra_args(false);
  restore->add_flag("--auto-dedup", ro.auto_dedup, "enable auto deduplication of memory images");
  restore->add_flag("--lazy-pages", ro.lazy_pages,
                    "use userfaultfd to lazily restore memory pages");
  restore->add_option("--lsm-profile", ro.lsm_profile,
                      "Specify an LSM profile to be used during restore in the form of "
                      "TYPE:NAME.");
  restore->add_option("--lsm-mount-context", ro.lsm_mount_context,
                      "Specify an LSM mount context to be used during restore.");
  add_arguments(*restore, r->args);
  restore->callback([r, &out] {
    require_exact_args(r->args, "restore", 1);
    r->options.id = r->args[0];
    out.command = Command::kRestore;
    out.options = r->options;
  });
}

int run_checkpoint_restore(const ParsedCommand& parsed) {
  if (parsed.command == Command::kCheckpoint) {
    throw Error("checkpoint is not supported by ch-runc yet");
  }
  throw Error("restore is not supported by ch-runc yet");
}

}  // namespace chrunc::cmd
