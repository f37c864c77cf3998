#pragma once
// The host namespaces of the monitor (state.pid), following the spec: a
// namespace with a path is joined, one without is created. The VMM and
// virtiofsd are the monitor's children and live in them too.
//
//   pid     set up by `create` around the fork of the monitor
//           (PidNamespaceForChild), so the monitor is PID 1 of a new one and
//           the VMM and virtiofsd die with it
//   network, ipc, uts, mount, cgroup
//           entered by the monitor itself, before it starts any thread
//   user, time
//           not applied on the host: the guest kernel provides them
//           (user namespaces inside the VM; see docs)

#include <sched.h>

#include <optional>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"

namespace chrunc::runtime {

// While alive, the children the caller forks are born in the spec's pid
// namespace (a new one, or the one at its path); restores the caller's own on
// destruction. Does nothing when the spec has no pid namespace.
class PidNamespaceForChild {
 public:
  explicit PidNamespaceForChild(const oci::Spec& spec);
  ~PidNamespaceForChild();
  PidNamespaceForChild(const PidNamespaceForChild&) = delete;
  PidNamespaceForChild& operator=(const PidNamespaceForChild&) = delete;

 private:
  UniqueFd original_;
};

// Joins or creates the network, ipc, uts, mount and cgroup namespaces of the
// spec; throws naming the namespace ("linux.namespaces: join network /x: ...").
// When it creates the mount namespace and the monitor is PID 1 of a pid
// namespace of its own, it mounts that namespace's procfs on /proc there
// (mount_own_proc): the monitor, the VMM, virtiofsd and the stand-ins of the
// guest's processes see only themselves, as podman's `top` (which lists the
// /proc of state.pid's mount namespace) expects. Host pids must be read
// before this.
void enter_monitor_namespaces(const oci::Spec& spec);

// True when the caller is PID 1 of the new pid namespace the spec asks for
// (one without a path).
bool owns_new_pid_namespace(const oci::Spec& spec);
// Mounts a procfs of the caller's pid namespace on /proc (nosuid, nodev, noexec).
void mount_own_proc();

}  // namespace chrunc::runtime
