#pragma once
// A container's monitor taking a warm standby (docs/warm-pool.md): the
// monitor stays the container's process in every respect (state.pid, its
// namespaces and cgroup, monitor.sock, the agent client); the standby keeps
// the VMM and virtiofsd it booted, serves the container's share through
// them, and stops them when the monitor says the container is done (or dies).

#include <memory>
#include <string>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/pool/pool_dir.hpp"

namespace chrunc::runtime::pool {

// The shape `spec` needs, or why no standby can serve it (`reason` set):
// the pool is off, the hypervisor is not QEMU, block devices, a user
// namespace, a network namespace to join (its interfaces need NICs), the
// debug flag, another VM size.
struct WarmFit {
  StandbyShape shape;
  std::string reason;  // empty: a standby of `shape` serves it
};
WarmFit warm_fit(const oci::Spec& spec, const VmHost& host, bool debug, bool has_disks);

// The backend's name in a standby's shape ("qemu-tcg", "qemu-kvm", ...).
std::string shape_hypervisor(const VmHost& host);

class ClaimedStandby {
 public:
  ClaimedStandby(const ClaimedStandby&) = delete;
  ClaimedStandby& operator=(const ClaimedStandby&) = delete;
  ~ClaimedStandby() { release(); }

  // Claims a ready standby of `shape` in the pool (under its lock, reaping
  // dead ones) and connects to it. nullptr when there is none; throws
  // chrunc::Error when one was claimed but does not answer (it is reaped).
  static std::unique_ptr<ClaimedStandby> take(const vmm::PoolConfig& config,
                                              const StandbyShape& shape);

  // Hands the container over: `share_tree` (a detached copy of the
  // container's share, open_tree) goes on the standby's share subdirectory,
  // the VMM and virtiofsd join `cgroup_path`. Returns a connection to the
  // guest agent. Throws chrunc::Error with the standby's reason.
  UniqueFd hand_over(const std::string& id, int share_tree, const std::string& cgroup_path);

  const StandbyRecord& record() const { return record_; }
  // The VMM and virtiofsd, once handed over.
  ProcessIdentity vmm() const { return vmm_; }
  // False once the standby has hung up (its VMM or virtiofsd exited).
  bool alive();
  // Tells the standby the container is done and waits (bounded) until it has
  // stopped the VM. Idempotent.
  void release() noexcept;

 private:
  ClaimedStandby() = default;
  UniqueFd connection_;
  StandbyRecord record_;
  ProcessIdentity vmm_, virtiofsd_;
};

}  // namespace chrunc::runtime::pool
