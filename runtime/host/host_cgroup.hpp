#pragma once
// The container's cgroup on the host, at linux.cgroupsPath, holding the
// monitor, the VMM and virtiofsd (children inherit it), with the spec's
// resources written as runc writes them, so that engines reading the host
// cgroup (docker stats, OOM events, conformance checks) see the container.
//
// cgroup v1 (this kind of host; hybrid with an empty unified tree): one
// directory per mounted controller (cpu, cpuacct, cpuset, memory, pids,
// blkio, devices, freezer, ...; named hierarchies like name=systemd are
// skipped). cgroup v2 when /sys/fs/cgroup is the unified hierarchy.
// Device rules are not written on the host: they apply inside the guest (the
// VMM needs its own device nodes).
//
// Paths: "/a/b" is taken from each hierarchy's root, a relative "a/b" too;
// systemd's "slice:prefix:name" becomes "/slice/prefix-name.scope"; empty
// means "/<container id>" (as runc does).

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::runtime {

std::string cgroup_relative_path(const std::string& cgroups_path, const std::string& id);

class HostCgroup {
 public:
  HostCgroup() = default;
  HostCgroup(HostCgroup&& other) noexcept;
  HostCgroup& operator=(HostCgroup&& other) noexcept;
  HostCgroup(const HostCgroup&) = delete;
  HostCgroup& operator=(const HostCgroup&) = delete;
  // Removes the cgroup unless keep() was called.
  ~HostCgroup();

  // Creates the directories and writes `resources`; throws naming the file
  // and the value on the first failure (and removes what it created).
  static HostCgroup create(const std::string& relative_path,
                           const std::optional<oci::Resources>& resources,
                           const std::filesystem::path& mount_root = "/sys/fs/cgroup");

  // The cgroup at `relative_path` as it is (nothing created, checked or
  // removed): a warm standby moves its VMM into a container's this way.
  static HostCgroup existing(const std::string& relative_path,
                             const std::filesystem::path& mount_root = "/sys/fs/cgroup");

  // Moves the calling process (pid 0) or `pid` into every directory.
  void add_process(pid_t pid = 0) const;
  // Writes (more) resources, as `update` does.
  void apply(const oci::Resources& resources) const;
  // Leaves the cgroup in place when this object goes away.
  void keep() { kept_ = true; }

  bool unified() const { return unified_; }
  const std::vector<std::filesystem::path>& directories() const { return dirs_; }

  // The pids in the cgroup at `relative_path` (cgroup.procs of its first
  // hierarchy), ascending, as the caller's pid namespace numbers them; none
  // when it does not exist.
  static std::vector<pid_t> pids(const std::string& relative_path,
                                 const std::filesystem::path& mount_root = "/sys/fs/cgroup");

  // Kills what is left in the cgroup (SIGKILL), thaws it, and removes its
  // directories. Missing directories are fine. Returns false if some could not be removed.
  static bool destroy(const std::string& relative_path,
                      const std::filesystem::path& mount_root = "/sys/fs/cgroup") noexcept;

 private:
  std::string relative_;
  std::filesystem::path mount_root_;
  std::vector<std::filesystem::path> dirs_;
  bool unified_ = false;
  bool kept_ = false;
};

}  // namespace chrunc::runtime
