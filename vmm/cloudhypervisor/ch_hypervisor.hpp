#pragma once
// The cloud-hypervisor backend: the VMM started with --api-socket, driven
// over REST, the agent reached over hybrid vsock (port 1024).

#include <optional>

#include "vmm/cloudhypervisor/api_client.hpp"
#include "vmm/cloudhypervisor/api_types.hpp"
#include "vmm/vmm_process.hpp"

namespace chrunc::vmm::ch {

inline constexpr unsigned kAgentVsockPort = 1024;

struct ChSettings {
  std::string binary = "cloud-hypervisor";
  bool seccomp = true;
  bool debug_log = false;  // -v
  std::chrono::milliseconds start_timeout{10000};
};

// The vm.create body for a VmConfig (exposed for tests).
VmCreateConfig make_create_config(const VmConfig& config,
                                  const std::filesystem::path& vsock_socket);
// The vm.add-net requests (and the tap fd each carries) for the NICs given
// by fd, sent between vm.create and vm.boot (exposed for tests).
std::vector<std::pair<NetConfig, int>> net_fd_configs(const VmConfig& config);
// The VM's host block devices as vm.add-disk requests (direct, serial, readonly).
std::vector<DiskConfig> disk_configs(const VmConfig& config);

class ChHypervisor final : public VmmProcessHypervisor {
 public:
  explicit ChHypervisor(ChSettings settings);
  ~ChHypervisor() override;

  std::string name() const override { return "cloud-hypervisor"; }
  void boot(const VmConfig& config) override;
  UniqueFd connect_agent(std::chrono::milliseconds timeout) override;
  void pause() override;
  void resume() override;
  VmInfo info() override;

  ApiClient& api();
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  [[noreturn]] void fail(const std::string& what);
  bool request_exit(std::chrono::milliseconds grace) override;
  void cleanup() noexcept override;

  ChSettings settings_;
  std::optional<ApiClient> api_;
  std::filesystem::path api_socket_, vsock_socket_, log_file_;
};

}  // namespace chrunc::vmm::ch
