#pragma once
// The monitor's VM: the container's share (rootfs and bind-mount sources)
// served by one virtiofsd, the VMM
// booted with them, the agent connected and the container created in it.
// Destroying a VmSession tears all of it down (agent Shutdown, VMM stopped,
// virtiofsd stopped), in that order.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/client/agent_client.hpp"
#include "oci/spec.hpp"
#include "runtime/host/container_share.hpp"
#include "runtime/host/host_block_devices.hpp"
#include "runtime/host/host_network.hpp"
#include "runtime/monitor/spec_rewrite.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/pool/claim.hpp"
#include "runtime/pool/standby_wire.hpp"
#include "vmm/boot_image_pageout.hpp"
#include "vmm/host_config.hpp"
#include "vmm/hypervisor.hpp"
#include "vmm/virtiofsd.hpp"

namespace chrunc::runtime {

struct BootRequest {
  std::string id;
  oci::Spec spec;
  std::filesystem::path bundle;
  std::filesystem::path state_dir;
  std::string state_json;  // the OCI state the guest hooks read
  bool debug = false;
  // The container's interfaces, plumbed on the host (none when null).
  const HostNetwork* network = nullptr;
  // The host's VMM, image and backend, resolved before the monitor entered
  // the spec's namespaces (vm_backend.hpp).
  const VmHost* host = nullptr;
  // The spec's host block devices, opened on the host (none when null).
  const std::vector<HostBlockDevice>* disks = nullptr;
  // The container's host cgroup (relative path): a warm standby's VMM joins it.
  std::string cgroup_path;
};

// The VM every boot starts from: the guest image, vCPUs, memory and TCG
// translation cache of `size` (cold boots and warm standbys alike; a
// standby then takes the pool's translation cache instead).
vmm::VmConfig base_vm_config(const VmHost& host, const VmSize& size);

// agent.CreateContainer of the request's container with the guest's spec and
// share; returns the guest pid of its init.
int create_in_guest(agent::AgentClient& agent, const BootRequest& request, const GuestSpec& guest);

class VmSession {
 public:
  VmSession() = default;
  ~VmSession();
  VmSession(const VmSession&) = delete;
  VmSession& operator=(const VmSession&) = delete;

  // Boots the VM and creates the container (its init parked until start).
  // Throws chrunc::Error naming the step that failed; leaves nothing running.
  static std::unique_ptr<VmSession> boot(const BootRequest& request);
  // The same on a warm standby's VM (runtime/pool/claim.hpp): the container's
  // share is made here and handed to the standby, which serves it to the
  // guest; the guest's clock is set; the container is created. Throws
  // chrunc::Error; the standby then stops its VM. `standby_failed` says
  // whether the error was the standby's (hand-over, agent, clock: a cold
  // boot may do better) rather than the container's (its share, its
  // creation: a cold boot would fail the same way).
  static std::unique_ptr<VmSession> adopt(const BootRequest& request,
                                          std::unique_ptr<pool::ClaimedStandby> standby,
                                          bool& standby_failed);

  agent::AgentClient& agent() { return *agent_; }
  // Whether the VMM still runs (a standby's: while the standby is there).
  bool vmm_alive() { return hypervisor_ ? hypervisor_->alive() : standby_ && standby_->alive(); }
  // The VMM's pid as its parent knows it (0 on a standby's VM).
  pid_t vmm_pid() const { return hypervisor_ ? hypervisor_->pid() : 0; }
  // On a standby's VM: the VMM's host identity.
  std::optional<ProcessIdentity> standby_vmm() const {
    if (!standby_) return std::nullopt;
    return standby_->vmm();
  }
  int init_pid() const { return init_pid_; }
  // The guest RAM the VM booted with.
  uint64_t memory_mib() const { return memory_mib_; }
  // The VM's vCPUs (vm_sizing.hpp).
  unsigned vcpus() const { return vcpus_; }
  // virtiofsd, which serves the container's files, exited on its own: every
  // file access in the guest would wait for it forever.
  bool share_server_exited() { return virtiofsd_.pid() > 0 && !virtiofsd_.running(); }

  // Orderly stop: agent Shutdown (which syncs the guest; skipped when
  // `guest_synced`: the agent synced after the container's end), VMM
  // shutdown, virtiofsd stopped. Idempotent.
  void teardown(bool guest_synced = false) noexcept;

  // The boot images are paged out of the VMM once the agent answers
  // (vmm/boot_image_pageout.hpp); a page another VMM mapped at that moment
  // (boots at once) is skipped by the kernel, so the serve loop calls this
  // about once a second and it tries again 2, 10 and 60 s after the boot.
  void page_out_boot_images_again();

 private:
  std::vector<vmm::MappedImage> boot_images_;
  std::chrono::steady_clock::time_point booted_at_;
  size_t page_out_retries_done_ = 0;
  ContainerShare share_;
  vmm::VirtiofsDaemon virtiofsd_;
  std::unique_ptr<vmm::Hypervisor> hypervisor_;
  std::unique_ptr<pool::ClaimedStandby> standby_;  // instead of hypervisor_ when warm
  std::unique_ptr<agent::AgentClient> agent_;
  int init_pid_ = 0;
  uint64_t memory_mib_ = 0;
  unsigned vcpus_ = 1;
};

}  // namespace chrunc::runtime
