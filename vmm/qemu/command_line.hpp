#pragma once
// The QEMU -M microvm command line for one VM (as measured in DESIGN.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/child_process.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::vmm::qemu {

struct QemuPaths {
  std::filesystem::path qmp_socket;    // -qmp unix:...,server=on,wait=off
  std::filesystem::path agent_socket;  // virtserialport io.containerization.agent
};

struct QemuCommand {
  std::vector<std::string> argv;
  std::vector<SpawnOptions::PassFd> fds;  // tap fds, numbered from 3
};

inline constexpr const char* kAgentPortName = "io.containerization.agent";
// QEMU's microvm machine has this many virtio-mmio transports (its
// VIRTIO_NUM_TRANSPORTS, measured: the 25th device finds no bus); the balloon, the agent's
// virtio-serial and the virtiofs share take three, NICs and disks share the rest.
inline constexpr size_t kMicrovmVirtioSlots = 24;

// Throws chrunc::Error when the VM's devices need more virtio-mmio slots than
// microvm has, saying how many of what.
void check_virtio_slots(const VmConfig& config);

// kvm: -accel kvm -cpu host; else -accel tcg -cpu max with tsc_early_khz
// (when tsc_khz is known) on the kernel command line.
QemuCommand build_command_line(const std::string& binary, bool kvm, std::optional<uint64_t> tsc_khz,
                               bool sandbox, const VmConfig& config, const QemuPaths& paths);

// Our kernel patches' boot parameters (guest/kernel/boot-params) and the
// values QEMU's microvm gives them.
inline constexpr const char* kLapicTimerHzParam = "lapic_timer_hz";
inline constexpr uint64_t kQemuApicTimerHz = 1'000'000'000;
inline constexpr const char* kVirtioQueueSizeParam = "virtio_mmio.queue_size_max";
inline constexpr unsigned kVirtioQueueSize = 128;

// The kernel command line the guest gets: kernel_params names the patched
// parameters this kernel takes (VmConfig::kernel_params).
std::string kernel_cmdline(bool kvm, std::optional<uint64_t> tsc_khz,
                           const std::vector<std::string>& kernel_params, const std::string& extra);

}  // namespace chrunc::vmm::qemu
