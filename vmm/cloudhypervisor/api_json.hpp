#pragma once
// JSON bodies of cloud-hypervisor API requests and replies (RapidJSON).

#include <string>

#include "vmm/cloudhypervisor/api_types.hpp"

namespace chrunc::vmm::ch {

std::string to_json(const VmCreateConfig& config);
std::string to_json(const FsConfig& fs);
std::string to_json(const DiskConfig& disk);
std::string to_json(const NetConfig& net);
std::string to_json(const VmResize& resize);
std::string to_json(const RestoreConfig& restore);
std::string remove_device_json(const std::string& id);
std::string snapshot_json(const std::string& destination_url);

// Parse replies; throw chrunc::Error naming `endpoint` on malformed JSON.
PingReply parse_ping(const std::string& body, const std::string& endpoint);
VmInfoReply parse_vm_info(const std::string& body, const std::string& endpoint);
PciDeviceInfo parse_pci_device_info(const std::string& body, const std::string& endpoint);

}  // namespace chrunc::vmm::ch
