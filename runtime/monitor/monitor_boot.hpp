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
#include <string>
#include <vector>

#include "agent/client/agent_client.hpp"
#include "oci/spec.hpp"
#include "runtime/host/container_share.hpp"
#include "runtime/host/host_block_devices.hpp"
#include "runtime/host/host_network.hpp"
#include "runtime/monitor/spec_rewrite.hpp"
#include "runtime/monitor/vm_backend.hpp"
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
};

class VmSession {
 public:
  VmSession() = default;
  ~VmSession();
  VmSession(const VmSession&) = delete;
  VmSession& operator=(const VmSession&) = delete;

  // Boots the VM and creates the container (its init parked until start).
  // Throws chrunc::Error naming the step that failed; leaves nothing running.
  static std::unique_ptr<VmSession> boot(const BootRequest& request);

  agent::AgentClient& agent() { return *agent_; }
  vmm::Hypervisor& hypervisor() { return *hypervisor_; }
  int init_pid() const { return init_pid_; }
  // The guest RAM the VM booted with.
  uint64_t memory_mib() const { return memory_mib_; }
  // The VM's vCPUs (vm_sizing.hpp).
  unsigned vcpus() const { return vcpus_; }
  // virtiofsd, which serves the container's files, exited on its own: every
  // file access in the guest would wait for it forever.
  bool share_server_exited() { return virtiofsd_.pid() > 0 && !virtiofsd_.running(); }

  // Orderly stop: agent Shutdown, VMM shutdown, virtiofsd stopped. Idempotent.
  void teardown() noexcept;

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
  std::unique_ptr<agent::AgentClient> agent_;
  int init_pid_ = 0;
  uint64_t memory_mib_ = 0;
  unsigned vcpus_ = 1;
};

}  // namespace chrunc::runtime
