#pragma once
// The Container the library hands out: the caller's side of one container
// (its init's pid and pidfd, the sync channel parked before execve, the
// cgroup).

#include <memory>
#include <optional>
#include <string>

#include "agent/container/container.hpp"
#include "agent/container/security/cgroup.hpp"
#include "agent/container/sync_channel.hpp"

namespace chrunc::container {

class ContainerImpl final : public Container {
 public:
  ContainerImpl(std::string id, oci::Spec spec, ProcessReaper& reaper)
      : id_(std::move(id)), spec_(std::move(spec)), reaper_(reaper) {}
  ~ContainerImpl() override;

  const std::string& id() const override { return id_; }
  pid_t init_pid() const override { return init_pid_; }
  ProcessStdio take_init_stdio() override { return std::move(stdio_); }
  void start() override;
  pid_t exec(const oci::Process& process, ProcessStdio& stdio) override;
  void signal(int signal, bool all) override;
  void pause() override;
  void resume() override;
  void update(const oci::Resources& resources) override;
  std::vector<pid_t> pids() override;
  CgroupStats stats() override;
  void destroy() override;

  // Filled in by create().
  pid_t init_pid_ = 0;
  UniqueFd init_pidfd_;
  SyncChannel channel_;
  ProcessStdio stdio_;
  std::optional<Cgroup> cgroup_;

 private:
  Cgroup& require_cgroup(const char* operation);
  void wait_init_gone();

  std::string id_;
  oci::Spec spec_;
  ProcessReaper& reaper_;
  bool started_ = false;
  bool destroyed_ = false;
};

// The parent's half of forking a container process (init or exec): stdio,
// the intermediate, the pid it reports. Used by create() and exec().
struct ForkedProcess {
  pid_t pid = 0;
  UniqueFd pidfd;
  SyncChannel channel;
  ProcessStdio stdio;
};

// Kills and reaps a child unless dismissed (for error paths).
class ChildGuard {
 public:
  ChildGuard(ProcessReaper& reaper) : reaper_(reaper) {}
  ChildGuard(const ChildGuard&) = delete;
  ~ChildGuard();
  void arm(pid_t pid) { pid_ = pid; }
  void reap();  // waits for it (it exits by itself)
  void dismiss() { pid_ = 0; }

 private:
  ProcessReaper& reaper_;
  pid_t pid_ = 0;
};

// Opens a pidfd (invalid when the kernel has none).
UniqueFd open_pidfd(pid_t pid);
// Pipes for a process's stdio; the child ends go to `child_ends` (in, out, err).
void make_stdio_pipes(ProcessStdio& parent, UniqueFd child_ends[3]);

}  // namespace chrunc::container
