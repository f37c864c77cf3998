#pragma once
// The in-VM container creation library: given an OCI spec whose root.path is a
// directory on this machine, create the container the way runc would on a
// host. The guest agent drives it inside the VM; its tests drive it directly
// on a Linux host as root.
//
// Processes: the library forks the container's processes but never reaps
// them itself; it asks the ProcessReaper, so that the agent (PID 1, which
// reaps every child with waitpid(-1)) and a plain host process both work.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

class ProcessReaper {
 public:
  virtual ~ProcessReaper() = default;
  // Blocks until `pid` (a child of this process) has exited and returns its
  // raw wait status (as waitpid gives it).
  virtual int wait_status(pid_t pid) = 0;
};

// waitpid(pid) for callers that do not reap everything themselves.
class DirectReaper final : public ProcessReaper {
 public:
  int wait_status(pid_t pid) override;
};

// The caller's ends of a process's stdio.
struct ProcessStdio {
  UniqueFd stdin_write;  // pipe mode: write end of the process's stdin (closing it = EOF)
  UniqueFd stdout_read;  // pipe mode: read end of stdout
  UniqueFd stderr_read;  // pipe mode: read end of stderr
  UniqueFd pty_master;   // terminal mode (process.terminal): the pty master, all three streams
};

struct CreateOptions {
  std::string id;
  oci::Spec spec;          // root.path: absolute path of the rootfs on this machine
  std::string state_json;  // OCI state for createContainer/startContainer hooks (pid filled in)
  bool no_pivot = false;   // MS_MOVE + chroot instead of pivot_root
  // cgroup v2 mount under which linux.cgroupsPath is created.
  std::string cgroup_root = "/sys/fs/cgroup";
};

struct CgroupStats {
  uint64_t cpu_usage_usec = 0, cpu_user_usec = 0, cpu_system_usec = 0;
  uint64_t cpu_throttled_periods = 0, cpu_throttled_usec = 0;
  uint64_t memory_usage_bytes = 0, memory_limit_bytes = 0, memory_max_usage_bytes = 0;
  uint64_t memory_cache_bytes = 0;
  uint64_t pids_current = 0, pids_limit = 0;
  uint64_t io_read_bytes = 0, io_write_bytes = 0;
  std::map<std::string, uint64_t> memory_stat;
  // memory.events "oom_kill": processes the OOM killer killed in the cgroup.
  uint64_t memory_oom_kills = 0;
};

class Container {
 public:
  // Forks the container's init and has it set up namespaces, rootfs, mounts,
  // devices, hostname, sysctls, rlimits, user, capabilities, seccomp and the
  // cgroup; the init is parked just before execve until start(). Runs the
  // createContainer hooks. Throws chrunc::Error naming the failing step
  // (e.g. `mount proc on /proc: Operation not permitted`), and then leaves no
  // process, mount or cgroup behind.
  static std::unique_ptr<Container> create(CreateOptions options, ProcessReaper& reaper);

  virtual ~Container() = default;

  virtual const std::string& id() const = 0;
  virtual pid_t init_pid() const = 0;
  // The caller's ends of init's stdio (once).
  virtual ProcessStdio take_init_stdio() = 0;

  // Lets init execve the user process; runs startContainer hooks first (in
  // the container). Throws if execve failed (`exec "foo": executable file not
  // found in $PATH`).
  virtual void start() = 0;

  // A new process in the container's namespaces, cgroup and security
  // settings (ch-runc exec); returns its pid and fills `stdio`.
  virtual pid_t exec(const oci::Process& process, ProcessStdio& stdio) = 0;

  // Signals init, or with `all` every process in the container's cgroup.
  virtual void signal(int signal, bool all) = 0;

  virtual void pause() = 0;  // cgroup freezer
  virtual void resume() = 0;
  virtual void update(const oci::Resources& resources) = 0;
  virtual std::vector<pid_t> pids() = 0;
  virtual CgroupStats stats() = 0;

  // Kills whatever is left, unmounts and removes the cgroup. Idempotent.
  virtual void destroy() = 0;
};

}  // namespace chrunc::container
