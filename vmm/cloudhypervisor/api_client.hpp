#pragma once
// cloud-hypervisor's REST API over its --api-socket (libcurl, unix socket).
// Errors: chrunc::Error "cloud-hypervisor <endpoint>: HTTP <status>: <body>".

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vmm/cloudhypervisor/api_types.hpp"

namespace chrunc::vmm::ch {

class ApiClient {
 public:
  explicit ApiClient(std::filesystem::path api_socket,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

  PingReply ping();                    // GET vmm.ping
  void shutdown_vmm();                 // PUT vmm.shutdown
  void create(const VmCreateConfig&);  // PUT vm.create
  void boot();                         // PUT vm.boot
  VmInfoReply info();                  // GET vm.info
  void pause();                        // PUT vm.pause
  void resume();                       // PUT vm.resume
  void shutdown_vm();                  // PUT vm.shutdown
  // Hot-plug: the new device's PCI info (nullopt on 204, a cold add before boot).
  std::optional<PciDeviceInfo> add_fs(const FsConfig&);      // PUT vm.add-fs
  std::optional<PciDeviceInfo> add_disk(const DiskConfig&);  // PUT vm.add-disk
  std::optional<PciDeviceInfo> add_net(const NetConfig&);    // PUT vm.add-net
  // PUT vm.add-net with the tap's fds (one per queue pair) attached by
  // SCM_RIGHTS (fd_request.hpp): the tap is the caller's, not opened by name.
  std::optional<PciDeviceInfo> add_net_with_fds(const NetConfig&, const std::vector<int>& fds);
  void remove_device(const std::string& id);          // PUT vm.remove-device
  void resize(const VmResize&);                       // PUT vm.resize
  void snapshot(const std::string& destination_url);  // PUT vm.snapshot
  void restore(const RestoreConfig&);                 // PUT vm.restore

  struct Response {
    long status = 0;
    std::string body;
  };
  // One request; throws on transport errors and on HTTP status >= 300.
  Response request(const std::string& method, const std::string& endpoint, const std::string* body);

  const std::filesystem::path& socket_path() const { return socket_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  std::optional<PciDeviceInfo> add_device(const std::string& endpoint, const std::string& body);

  std::filesystem::path socket_;
  std::chrono::milliseconds timeout_;
};

}  // namespace chrunc::vmm::ch
