#pragma once
// The Kata Containers way of carrying a netns interface into a VM: a tap
// beside it, and tc mirred redirects both ways between the two, so every
// frame arriving on the interface leaves through the tap (to the VMM) and
// every frame the VMM writes to the tap leaves through the interface.

#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "netlink/socket.hpp"
#include "netlink/tc.hpp"

namespace chrunc::netlink {

struct TapRedirectOptions {
  bool persistent = false;  // the tap outlives its fd (the destructor still removes it)
  bool vnet_hdr = false;    // IFF_VNET_HDR on the tap fd
  IngressQdisc qdisc = IngressQdisc::Ingress;
  FilterKind filter = FilterKind::U32;
};

// "tap0_<ifname>", cut to 15 characters.
std::string tap_name_for(const std::string& ifname);

class TapRedirect {
 public:
  // Works in the calling thread's netns: creates tap "tap0_<ifname>" with the
  // interface's MTU, brings both up, adds an ingress qdisc on both and a
  // redirect filter each way. Undoes what it did if a step fails.
  explicit TapRedirect(const std::string& ifname, const TapRedirectOptions& options = {});
  // Removes the filters, the qdiscs and the tap (in the netns it was made in).
  ~TapRedirect();
  TapRedirect(const TapRedirect&) = delete;
  TapRedirect& operator=(const TapRedirect&) = delete;

  const std::string& interface_name() const { return ifname_; }
  const std::string& tap_name() const { return tap_name_; }
  int interface_index() const { return if_index_; }
  int tap_index() const { return tap_index_; }
  // The tap's fd (for the VMM: QEMU -netdev tap,fd=N; cloud-hypervisor add-net).
  int tap_fd() const { return tap_fd_.get(); }

 private:
  void teardown() noexcept;

  Socket sock_;
  TapRedirectOptions options_;
  std::string ifname_;
  std::string tap_name_;
  UniqueFd tap_fd_;
  int if_index_ = 0;
  int tap_index_ = 0;
  bool if_qdisc_ = false;
  bool tap_qdisc_ = false;
};

// A TapRedirect for every interface of the calling thread's netns except
// loopback and taps (what the host does inside a container's netns).
// All or nothing: when one fails, those already made are undone.
std::vector<std::unique_ptr<TapRedirect>> redirect_all_interfaces(
    const TapRedirectOptions& options = {});

}  // namespace chrunc::netlink
