#pragma once
// The container's network namespace carried into its VM, the Kata Containers
// way (docs/networking.md): for each Ethernet interface the namespace holds
// (docker's or podman's veth, a macvlan, ...) a tap beside it in the same
// namespace, with tc mirred redirects both ways between the two; the tap's fd
// goes to the VMM (which runs in that namespace too) as a NIC with the
// interface's MAC, and the guest agent gives that NIC the interface's name,
// MTU, addresses and routes.
//
// <state dir>/network.state lists what was made (the namespace's path and
// each interface/tap pair), so that `delete` can remove it when the monitor
// was killed before it could (clean_host_network).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "netlink/snapshot.hpp"
#include "netlink/tap_redirect.hpp"
#include "oci/spec.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::runtime {

class HostNetwork {
 public:
  // Works in the calling thread's network namespace (the monitor's, after
  // enter_monitor_namespaces). A spec without a network namespace plumbs
  // nothing: the monitor then shares the host's, whose interfaces are not the
  // container's. All or nothing: on failure what was made is removed.
  static std::unique_ptr<HostNetwork> plumb(const oci::Spec& spec,
                                            const std::filesystem::path& state_dir);
  // Removes the redirects, qdiscs and taps, then the state file.
  ~HostNetwork();
  HostNetwork(const HostNetwork&) = delete;
  HostNetwork& operator=(const HostNetwork&) = delete;

  // One per interface: the tap (fd borrowed from this object) and the MAC.
  std::vector<vmm::NetDevice> nics() const;
  // What the guest must configure (same order as nics()).
  const std::vector<netlink::InterfaceSnapshot>& interfaces() const { return interfaces_; }

 private:
  HostNetwork() = default;

  std::filesystem::path state_file_;
  std::vector<netlink::InterfaceSnapshot> interfaces_;
  std::vector<std::unique_ptr<netlink::TapRedirect>> redirects_;
};

// The interfaces of the calling thread's netns a VM gets: Ethernet links
// other than taps (no loopback, no sit0/tunl0 fallback tunnels).
std::vector<netlink::InterfaceSnapshot> interfaces_to_carry(netlink::Socket& sock);

// For `delete` after the monitor is gone: removes the taps, filters and
// qdiscs <state dir>/network.state lists from the namespace it names (when
// that still exists), then the file. Failures are logged, not thrown.
void clean_host_network(const std::filesystem::path& state_dir) noexcept;

}  // namespace chrunc::runtime
