#pragma once
// One VM for a test: virtiofsd serving a busybox rootfs (tag "rootfs"), QEMU
// microvm booting the guest image with the agent's virtio-serial port on a
// unix socket, and an AgentClient connected to it. Everything is killed and
// removed on destruction.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/client/agent_client.hpp"
#include "busybox_rootfs.hpp"
#include "common/child_process.hpp"

namespace chrunc::test {

class BootedVm {
 public:
  BootedVm();
  ~BootedVm();

  agent::AgentClient& client() { return *client_; }
  // QEMU start to the agent's first Health answer.
  std::chrono::milliseconds boot_to_ready() const { return boot_to_ready_; }
  std::string console() const;  // the guest's serial output so far
  // Waits for QEMU to exit by itself; false on timeout.
  bool wait_qemu_exit(std::chrono::milliseconds timeout);

  static constexpr const char* kRootfsGuestPath = "/run/chrunc/shares/rootfs";

 private:
  std::filesystem::path dir_;
  std::unique_ptr<BusyboxRootfs> rootfs_;
  ChildProcess virtiofsd_;
  ChildProcess qemu_;
  std::unique_ptr<agent::AgentClient> client_;
  std::chrono::milliseconds boot_to_ready_{0};
};

}  // namespace chrunc::test
