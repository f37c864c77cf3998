#pragma once
// The host's configuration of ch-runc (/etc/containerization/ch-runc.yaml):
// which hypervisor, where its binaries and the guest image are, VM defaults.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace chrunc::vmm {

struct KvmVerdict;     // kvm_verdict.hpp
struct BackendChoice;  // backend_choice.hpp

// The warm pool (docs/warm-pool.md): VMs booted ahead, each waiting for one
// container. Off while size is 0.
struct PoolConfig {
  unsigned size = 0;  // standbys kept booted (0: no pool)
  // The standbys' shape; 0 takes default_vcpus / default_memory_mib. A
  // container whose VM would have another shape boots cold.
  unsigned vcpus = 0;
  uint64_t memory_mib = 0;
  // NICs a standby boots with. Only 0 for now: a container with interfaces
  // boots cold.
  unsigned nics = 0;
  // QEMU under TCG: the standbys' translation cache, MiB (0: QEMU's
  // default). Larger than the host's tcg_translation_cache_mib because a
  // boot translates about 32 MiB of code and a claim 12 MiB more: in a
  // 16 MiB cache the claim's code is flushed and translated again while it
  // runs (warm `run true` 0.76 s against 0.53 s with 48 MiB, bench/RESULTS.md).
  // It costs host memory: each standby's cache fills to about 44 MiB.
  uint64_t tcg_translation_cache_mib = 48;
  std::filesystem::path dir = "/run/ch-runc/pool";
};

struct HostConfig {
  std::string hypervisor = "auto";  // auto | cloud-hypervisor | qemu
  std::string qemu_binary = "qemu-system-x86_64";
  std::string cloud_hypervisor_binary = "cloud-hypervisor";
  std::string virtiofsd_binary = "/usr/lib/qemu/virtiofsd";
  std::filesystem::path kernel;     // default: build::kImageDir + "/vmlinux"
  std::filesystem::path initramfs;  // default: build::kImageDir + "/initramfs.cpio"
  unsigned default_vcpus = 1;
  uint64_t default_memory_mib = 256;
  // QEMU under TCG: the translation cache (tb-size) of every VM, MiB; 0
  // leaves QEMU's default (its cache then grows to about 70 MiB of host RAM
  // per VM). A boot translates about 32 MiB of code and creating, starting
  // and ending a container about 12 MiB more: with 28 MiB the cache is
  // flushed once, near the end of the boot, and the container's code stays
  // translated (cold `run true` about 0.2 s faster than with 16 MiB,
  // bench/RESULTS.md). It fills: each MiB is a MiB of host memory per VM,
  // mostly paid for by the guest's smaller virtqueues (command_line.cpp):
  // 93 MiB per idle container against 88 before both changes.
  uint64_t tcg_translation_cache_mib = 28;
  std::vector<std::string> virtiofsd_extra_args;
  std::string log_level = "info";
  bool seccomp = true;         // cloud-hypervisor --seccomp
  std::string accel = "auto";  // auto | kvm | tcg (QEMU)
  // The KVM probe (kvm_verdict.hpp): the device it checks, how long the one
  // boot of the guest under KVM may take, where the verdict is cached.
  std::filesystem::path kvm_device = "/dev/kvm";
  unsigned kvm_probe_timeout_s = 15;
  std::filesystem::path probe_cache_dir = "/run/ch-runc";
  // From the VMM's start to the agent's first answer: past it, the VM is torn
  // down and create fails naming the phase and the guest's last console line.
  unsigned boot_timeout_s = 90;
  // The one unprivileged host user every stand-in of a guest process runs as
  // (runtime/relays/stand_in_user.hpp): a name, a uid or uid:gid, never root.
  std::string stand_in_user = "nobody";
  PoolConfig pool;
};

// The path load_host_config() reads by default: $CHRUNC_CONFIG when set,
// else build::kConfigFile.
std::filesystem::path default_host_config_path();

// Reads the YAML file. A missing file gives the defaults; an unknown key, a
// value of the wrong type or an invalid choice throws chrunc::Error naming
// the key, the file and the line.
HostConfig load_host_config(const std::filesystem::path& path = default_host_config_path());

// Parses YAML text (`origin` names it in errors).
HostConfig parse_host_config(const std::string& yaml, const std::string& origin);

// A multi-line report for `ch-runc check`: what this host can run and why
// not, with the KVM verdict `judge` gives (backend_choice.hpp's KvmJudge).
std::string describe_host(const HostConfig& config,
                          const std::function<KvmVerdict(const BackendChoice&)>& judge);

// The binary found for `name` (absolute path, or looked up in PATH), or "" when absent.
std::string find_executable(const std::string& name);

}  // namespace chrunc::vmm
