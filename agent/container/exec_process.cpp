#include "agent/container/exec_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "agent/container/namespaces.hpp"
#include "agent/container/process_exec.hpp"
#include "agent/container/terminal.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

const oci::Linux kNoLinux{};

void exec_child(const ExecPlan& plan, SyncChannel& channel) {
  channel.expect(SyncType::kGo, "wait for the parent");
  if (::setsid() < 0) throw_errno("setsid");
  const oci::Process& process = *plan.process;
  if (process.terminal) setup_terminal(channel, process.console_size);
  const oci::Linux& linux_spec = plan.linux_spec ? *plan.linux_spec : kNoLinux;
  finish_and_exec(process, linux_spec.personality, linux_spec.seccomp, channel, [] {});
}

}  // namespace

void run_exec_intermediate(const ExecPlan& plan, SyncChannel& channel, const ChildStdio& stdio) {
  run_child(channel, [&] {
    reset_child_process(channel, stdio);
    channel.expect(SyncType::kGo, "wait for the cgroup");
    std::string proc = "/proc/" + std::to_string(plan.init_pid);
    UniqueFd root(::open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the container's root " + proc + "/root");
    join_process_namespaces(plan.init_pid,
                            {"user", "cgroup", "ipc", "uts", "network", "pid", "time", "mount"});
    check_syscall(::fchdir(root.get()), "chdir into the container's root");
    check_syscall(::chroot("."), "chroot into the container's root");
    check_syscall(::chdir("/"), "chdir /");
    pid_t pid =
        clone_sibling(0, [&]() -> int { run_child(channel, [&] { exec_child(plan, channel); }); });
    channel.send(SyncType::kPid, std::to_string(pid));
  });
}

}  // namespace chrunc::container
