#pragma once
// virtiofsd processes: one per shared host directory, owned by RAII objects.

#include <chrono>
#include <filesystem>
#include <map>
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

// The virtiofs shares of one VM: one daemon per distinct host directory,
// reference-counted. The rootfs gets tag "rootfs" (acquire it first), the
// others "share0", "share1", ... Sockets are <work_dir>/virtiofs-<tag>.sock.
class SharedDirectories {
 public:
  SharedDirectories(std::filesystem::path work_dir, VirtiofsOptions options);
  SharedDirectories(const SharedDirectories&) = delete;
  SharedDirectories& operator=(const SharedDirectories&) = delete;
  ~SharedDirectories() { clear(); }

  // The tag under which `source` is shared; starts its daemon on first use.
  std::string acquire_rootfs(const std::filesystem::path& source);
  std::string acquire(const std::filesystem::path& source, bool read_only = false);
  // Drops one reference; stops the daemon when it was the last. Unknown → Error.
  void release(const std::filesystem::path& source);
  // Stops every daemon.
  void clear() noexcept;

  std::vector<FsDevice> devices() const;
  size_t daemon_count() const { return shares_.size(); }
  unsigned references(const std::filesystem::path& source) const;

 private:
  struct Share {
    std::string tag;
    unsigned refs = 0;
    VirtiofsDaemon daemon;
  };
  std::string acquire_as(const std::filesystem::path& source, bool read_only, bool rootfs);
  static std::string key(const std::filesystem::path& source);

  std::filesystem::path work_dir_;
  VirtiofsOptions options_;
  std::map<std::string, Share> shares_;
  unsigned next_share_ = 0;
};

}  // namespace chrunc::vmm
