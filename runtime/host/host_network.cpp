#include "runtime/host/host_network.hpp"

#include <linux/if_arp.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/private_file.hpp"
#include "netlink/link.hpp"
#include "netlink/netns.hpp"
#include "netlink/tc.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = "network.state";

const oci::Namespace* network_namespace(const oci::Spec& spec) {
  if (!spec.linux) return nullptr;
  for (const auto& ns : spec.linux->namespaces)
    if (ns.type == "network") return &ns;
  return nullptr;
}

// "netns <path>" then one "redirect <interface> <tap>" per pair.
void write_state(const fs::path& file, const std::string& netns_path,
                 const std::vector<netlink::InterfaceSnapshot>& interfaces) {
  std::string text = "netns " + netns_path + "\n";
  for (const auto& i : interfaces)
    text += "redirect " + i.name + " " + netlink::tap_name_for(i.name) + "\n";
  write_private_file(file, text);
}

}  // namespace

std::vector<netlink::InterfaceSnapshot> interfaces_to_carry(netlink::Socket& sock) {
  std::vector<std::string> names;
  for (const auto& l : netlink::list_links(sock))
    if (l.type == ARPHRD_ETHER && l.kind != "tun") names.push_back(l.name);
  std::vector<netlink::InterfaceSnapshot> out;
  for (auto& s : netlink::snapshot_interfaces(sock))
    if (std::find(names.begin(), names.end(), s.name) != names.end()) out.push_back(std::move(s));
  return out;
}

std::unique_ptr<HostNetwork> HostNetwork::plumb(const oci::Spec& spec, const fs::path& state_dir) {
  std::unique_ptr<HostNetwork> network(new HostNetwork());
  const oci::Namespace* ns = network_namespace(spec);
  if (!ns) return network;
  {
    netlink::Socket sock;
    network->interfaces_ = interfaces_to_carry(sock);
  }
  if (network->interfaces_.empty()) return network;
  // Written first, so that a monitor killed half-way is still cleaned up.
  network->state_file_ = state_dir / kStateFile;
  write_state(network->state_file_, ns->path, network->interfaces_);
  // The destructor undoes what was made when one fails.
  for (const auto& i : network->interfaces_) {
    try {
      // With virtio-net headers: cloud-hypervisor requires them on a tap it
      // is given, QEMU uses them when present (offloads).
      netlink::TapRedirectOptions options;
      options.vnet_hdr = true;
      network->redirects_.push_back(std::make_unique<netlink::TapRedirect>(i.name, options));
    } catch (const Error& e) {
      throw Error("network: carry " + i.name + " into the VM: " + e.what(), e.sys_errno());
    }
  }
  return network;
}

HostNetwork::~HostNetwork() {
  redirects_.clear();
  if (!state_file_.empty()) {
    std::error_code ec;
    fs::remove(state_file_, ec);
  }
}

std::vector<vmm::NetDevice> HostNetwork::nics() const {
  std::vector<vmm::NetDevice> out;
  for (size_t i = 0; i < redirects_.size(); ++i)
    out.push_back({redirects_[i]->tap_name(), interfaces_[i].mac, redirects_[i]->tap_fd()});
  return out;
}

void clean_host_network(const fs::path& state_dir) noexcept {
  const fs::path file = state_dir / kStateFile;
  std::ifstream in(file);
  if (!in) return;
  try {
    std::string line, netns_path;
    std::vector<std::pair<std::string, std::string>> pairs;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string key;
      words >> key;
      if (key == "netns") {
        std::getline(words >> std::ws, netns_path);
      } else if (key == "redirect") {
        std::string ifname, tap;
        words >> ifname >> tap;
        if (!ifname.empty() && !tap.empty()) pairs.emplace_back(ifname, tap);
      }
    }
    // A namespace made by the monitor died with it, and everything in it.
    std::error_code ec;
    if (!netns_path.empty() && fs::exists(netns_path, ec)) {
      UniqueFd netns = netlink::open_netns(netns_path);
      netlink::Socket sock = netlink::Socket::in_netns(netns.get());
      for (const auto& [ifname, tap] : pairs) {
        if (auto l = netlink::find_link(sock, tap)) {
          netlink::delete_ingress_filters(sock, l->index);
          netlink::delete_link(sock, tap);
        }
        if (auto l = netlink::find_link(sock, ifname)) {
          for (const auto& q : netlink::list_qdiscs(sock, l->index)) {
            if (q.kind != "ingress") continue;
            netlink::delete_ingress_filters(sock, l->index);
            netlink::delete_ingress_qdisc(sock, l->index);
          }
        }
      }
    }
  } catch (const std::exception& e) {
    log_warn(std::string("network cleanup in ") + state_dir.string() + ": " + e.what());
  }
  std::error_code ec;
  fs::remove(file, ec);
}

}  // namespace chrunc::runtime
