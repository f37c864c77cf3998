#pragma once
// The container's cgroup v2 (inside the VM: /sys/fs/cgroup/<cgroupsPath>).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/container/container.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

class Cgroup {
 public:
  // Creates <cgroup_root>/<cgroups_path> and its missing parents, enables in
  // each ancestor's cgroup.subtree_control every controller it offers (so
  // that limits, stats and later updates work), then writes `resources`
  // (see cgroup_v2_settings and, for devices, cgroup_devices.hpp).
  // cgroup_root must be a cgroup2 mount. cgroups_path is taken relative to
  // cgroup_root whether or not it begins with '/'; a systemd-style
  // "slice:prefix:name" becomes "slice/prefix-name.scope". Throws for a
  // path with "..", a missing controller that a limit needs
  // (`cgroup controller "memory" is not available in /sys/fs/cgroup/a (memory.max)`)
  // or a failing write (`cgroup /sys/fs/cgroup/a: memory.max=1048576: write ...: <strerror>`).
  static Cgroup create(const std::string& cgroup_root, const std::string& cgroups_path,
                       const std::optional<oci::Resources>& resources);

  // An existing cgroup (throws `cgroup /sys/fs/cgroup/a does not exist`).
  static Cgroup open(const std::string& cgroup_root, const std::string& cgroups_path);

  Cgroup(Cgroup&&) noexcept = default;
  Cgroup& operator=(Cgroup&&) noexcept = default;
  // The directory outlives the object: call remove() to delete it.
  ~Cgroup() = default;

  // Writes pid to cgroup.procs.
  void add_process(pid_t pid);

  // cgroup.freeze 1 / 0, waiting (up to 10 s) until cgroup.events says
  // frozen 1 / 0.
  void freeze();
  void thaw();

  // Writes the limits (controllers enabled as needed; devices replaced).
  void update(const oci::Resources& resources);

  // cgroup.procs.
  std::vector<pid_t> pids() const;

  // cpu.stat, memory.current/max/peak/stat, pids.current/max, io.stat; files
  // of controllers that are not enabled leave their fields 0. "max" reads as
  // UINT64_MAX for memory_limit_bytes and as 0 for pids_limit (as runc).
  CgroupStats stats() const;

  // SIGKILL: cgroup.kill when the kernel has it, else SIGKILL every pid until
  // none is left (frozen meanwhile, so that nothing forks). Other signals:
  // sent once to every pid; a paused cgroup stays frozen (caught signals are
  // handled on thaw, fatal ones end the process at once). Waits (up to 10 s)
  // for an empty cgroup only for SIGKILL.
  void kill_all(int signal);

  // rmdir of the cgroup and any sub-cgroups (deepest first), retrying for
  // about a second while EBUSY. Nothing when it is already gone.
  void remove();

  const std::string& path() const { return path_; }

 private:
  Cgroup(std::string root, std::string path) : root_(std::move(root)), path_(std::move(path)) {}
  void write_resources(const oci::Resources& resources, bool created);

  std::string root_;  // the cgroup2 mount
  std::string path_;  // root_ + "/" + the normalised cgroupsPath
};

// cgroups_path relative to the cgroup root, normalised ("a/b"); throws for
// ".." components or an empty result.
std::string normalize_cgroups_path(const std::string& cgroups_path);

}  // namespace chrunc::container
