#pragma once
// The QEMU backend: -M microvm under KVM or TCG, QMP for control, the agent
// on a virtserialport whose chardev is a unix socket QEMU listens on.

#include <optional>

#include "vmm/qemu/qmp_client.hpp"
#include "vmm/vmm_process.hpp"

namespace chrunc::vmm::qemu {

struct QemuSettings {
  std::string binary = "qemu-system-x86_64";
  bool kvm = false;
  bool sandbox = true;  // QEMU's -sandbox (seccomp)
  std::chrono::milliseconds start_timeout{10000};
};

class QemuHypervisor final : public VmmProcessHypervisor {
 public:
  explicit QemuHypervisor(QemuSettings settings);
  ~QemuHypervisor() override;

  std::string name() const override { return settings_.kvm ? "qemu-kvm" : "qemu-tcg"; }
  void boot(const VmConfig& config) override;
  UniqueFd connect_agent(std::chrono::milliseconds timeout) override;
  void pause() override;
  void resume() override;
  VmInfo info() override;

  // The QMP connection (after boot), for callers that need more commands.
  QmpClient& qmp();
  // QEMU's stderr log (<work_dir>/qemu.log).
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  bool request_exit(std::chrono::milliseconds grace) override;
  void cleanup() noexcept override;

  QemuSettings settings_;
  VmConfig config_;
  std::optional<QmpClient> qmp_;
  std::filesystem::path qmp_socket_, agent_socket_, log_file_;
};

}  // namespace chrunc::vmm::qemu
