#pragma once
// virtiofsd: one per container, serving its share directory
// (runtime/host/container_share.hpp), owned by an RAII object.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/child_process.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::vmm {

struct VirtiofsOptions {
  std::string binary = "/usr/lib/qemu/virtiofsd";
  std::vector<std::string> extra_args;  // appended to the command line
  // virtiofsd's stderr goes here (default: <socket_path>.log).
  std::filesystem::path log_file;
  std::chrono::milliseconds start_timeout{5000};
  // The Rust virtiofsd takes --readonly; QEMU's C virtiofsd has no read-only
  // mode (read-only shares are then enforced by the guest's mount only).
  bool supports_readonly = false;
};

// One virtiofsd serving `source_dir` on a vhost-user socket. It sandboxes
// itself (namespaces + pivot_root into the source, its default).
// read_only is recorded, and passed as --readonly when
// VirtiofsOptions::supports_readonly says the binary takes it.
class VirtiofsDaemon {
 public:
  VirtiofsDaemon() = default;
  VirtiofsDaemon(VirtiofsDaemon&& other) noexcept { *this = std::move(other); }
  VirtiofsDaemon& operator=(VirtiofsDaemon&& other) noexcept;
  ~VirtiofsDaemon() { stop(); }

  // Spawns virtiofsd and returns once its socket exists. Throws
  // chrunc::Error with virtiofsd's last stderr line when it exits first.
  static VirtiofsDaemon start(const std::filesystem::path& source_dir,
                              const std::filesystem::path& socket_path, bool read_only,
                              const VirtiofsOptions& options = {});

  // SIGTERM, then SIGKILL after `grace`; reaps it; removes the socket. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000)) noexcept;

  bool running() { return process_.running(); }
  pid_t pid() const { return process_.pid(); }
  const std::filesystem::path& socket_path() const { return socket_path_; }
  const std::filesystem::path& source_dir() const { return source_dir_; }
  bool read_only() const { return read_only_; }

 private:
  ChildProcess process_;
  std::filesystem::path socket_path_, source_dir_;
  bool read_only_ = false;
};

}  // namespace chrunc::vmm
