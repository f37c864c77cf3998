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
void enter_monitor_namespaces(const oci::Spec& spec);

}  // namespace chrunc::runtime
