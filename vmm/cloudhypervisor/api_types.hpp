#pragma once
// Request and reply bodies of cloud-hypervisor's REST API, as C++ structs
// (subset of ../shared/reference/cloud-hypervisor-openapi.yaml that ch-runc uses).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chrunc::vmm::ch {

struct PayloadConfig {
  std::string kernel, initramfs, cmdline;  // empty: omitted
};

struct CpusConfig {
  unsigned boot_vcpus = 1;
  unsigned max_vcpus = 1;
};

struct MemoryConfig {
  uint64_t size = 256ull << 20;  // bytes
  bool shared = false;           // needed by vhost-user (virtiofs)
  std::optional<uint64_t> hotplug_size;
};

// ConsoleMode: Off | Pty | Tty | File | Socket | Null.
struct ConsoleConfig {
  std::string mode = "Off";
  std::string file;    // mode File
  std::string socket;  // mode Socket
};

struct FsConfig {
  std::string tag, socket;
  unsigned num_queues = 1;
  unsigned queue_size = 1024;
  std::string id;
};

struct DiskConfig {
  std::string path;
  bool readonly = false;
  std::string id;
  bool direct = false;  // O_DIRECT: no host page cache
  std::string serial;   // virtio serial the guest sees
};

// A NIC: a tap opened by name in the VMM's network namespace, or (tap empty)
// the tap whose fd goes with a vm.add-net request (ApiClient::add_net_with_fds).
struct NetConfig {
  std::string tap, mac, id;
  std::optional<unsigned> mtu;
};

struct VsockConfig {
  uint64_t cid = 3;
  std::string socket;  // hybrid vsock unix socket
};

struct VmCreateConfig {
  PayloadConfig payload;
  CpusConfig cpus;
  MemoryConfig memory;
  ConsoleConfig serial{"Off", "", ""};
  ConsoleConfig console{"Off", "", ""};
  std::vector<FsConfig> fs;
  std::vector<DiskConfig> disks;
  std::vector<NetConfig> net;
  std::optional<VsockConfig> vsock;
};

struct VmResize {
  std::optional<unsigned> desired_vcpus;
  std::optional<uint64_t> desired_ram;  // bytes
  std::optional<uint64_t> desired_balloon;
};

struct RestoreConfig {
  std::string source_url;  // "file:///path"
  std::optional<bool> prefault;
  std::optional<bool> resume;
};

struct PciDeviceInfo {
  std::string id, bdf;
};

struct PingReply {
  std::string version, build_version;
  int64_t pid = 0;
};

struct VmInfoReply {
  std::string state;  // Created | Running | Shutdown | Paused | BreakPoint
  unsigned boot_vcpus = 0;
  uint64_t memory_size = 0;  // bytes
  std::optional<uint64_t> memory_actual_size;
};

}  // namespace chrunc::vmm::ch
