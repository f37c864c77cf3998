#pragma once
// One interface over the two VMM backends (vmm/cloudhypervisor, vmm/qemu).
// The monitor owns exactly one Hypervisor per container.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::vmm {

struct HostConfig;     // vmm/host_config.hpp
struct BackendChoice;  // vmm/backend_choice.hpp

// A virtiofs share: a running virtiofsd's vhost-user socket and the tag the guest mounts.
struct FsDevice {
  std::string tag;
  std::filesystem::path socket_path;
};

// A tap device (already opened) to give the VM as a NIC.
struct NetDevice {
  std::string tap_name;
  std::string mac;  // "02:42:ac:11:00:02"
  int tap_fd = -1;  // borrowed; the backend passes it to the VMM
};

// A host block device given to the VM as a virtio-blk disk
// (runtime/host/host_block_devices.hpp): the host opened it, in the mode it chose.
struct DiskDevice {
  std::string serial;               // virtio serial: the guest finds the disk by it
  std::filesystem::path host_node;  // cloud-hypervisor opens this path itself
  bool read_only = false;
  int read_fd = -1;   // borrowed: O_RDONLY | O_DIRECT (QEMU gets the fds, not the path)
  int write_fd = -1;  // borrowed: O_RDWR | O_DIRECT; -1 when read_only
};

struct VmConfig {
  std::filesystem::path kernel;     // PVH vmlinux (both backends) or bzImage
  std::filesystem::path initramfs;  // uncompressed cpio with the agent as /init
  std::string kernel_cmdline_extra;
  // Boot parameters of ch-runc's kernel patches that this kernel takes
  // (GuestImage::kernel_params); the backend sets those it has values for.
  std::vector<std::string> kernel_params;
  unsigned vcpus = 1;
  uint64_t memory_mib = 256;
  // QEMU under TCG: the translation cache's size (tb-size); 0 keeps QEMU's default.
  uint64_t tcg_tb_mib = 0;
  std::vector<FsDevice> filesystems;
  std::vector<NetDevice> nics;
  std::vector<DiskDevice> disks;
  // Directory (0700) where the backend keeps its sockets and logs (the container's state dir).
  std::filesystem::path work_dir;
  // The guest's serial console is appended here (diagnostics, timing), the
  // file kept under console_log_max_bytes (its last bytes: console_log.hpp);
  // the VMM writes into console.pipe, a FIFO beside it.
  std::filesystem::path console_log;
  size_t console_log_max_bytes = size_t{1} << 20;
};

struct VmInfo {
  std::string state;  // "Running", "Paused", "Shutdown", ...
  unsigned vcpus = 0;
  uint64_t memory_mib = 0;
};

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;

  // "cloud-hypervisor" or "qemu-tcg" / "qemu-kvm".
  virtual std::string name() const = 0;

  // Spawns the VMM (minimal environment, no inherited fds but those it
  // needs, PR_SET_PDEATHSIG) and boots the VM. Throws chrunc::Error with the
  // VMM's own message on failure, and leaves no process or socket behind.
  virtual void boot(const VmConfig& config) = 0;

  // A connected stream socket to the guest agent's port (hybrid vsock after
  // "CONNECT 1024", or the virtio-serial chardev socket). Retries until the
  // deadline; throws naming the cause (VMM died, timed out).
  virtual UniqueFd connect_agent(std::chrono::milliseconds timeout) = 0;

  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual VmInfo info() = 0;

  // Orderly stop of the VMM process (API/QMP), then SIGKILL after the timeout;
  // reaps it. Idempotent.
  virtual void shutdown(std::chrono::milliseconds grace) = 0;

  // pid of the VMM process (0 when not running).
  virtual pid_t pid() const = 0;
  // Whether the VMM process is still alive (reaps it if it exited).
  virtual bool alive() = 0;
};

// The backend `choice` names (choose_backend(), backend_choice.hpp), with the
// host config's settings (seccomp, debug log).
std::unique_ptr<Hypervisor> make_hypervisor(const BackendChoice& choice, const HostConfig& config);

}  // namespace chrunc::vmm
