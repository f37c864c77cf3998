#pragma once
// The host block devices a spec passes to its container (linux.devices of
// type "b"), resolved and opened on the host before the monitor joins the
// spec's namespaces, then attached to the VM as virtio-blk disks.
//
// Which host device: the spec's major:minor, looked up in the host's sysfs
// (/sys/dev/block/M:m names the node under /dev); the node found must be a
// block device with exactly those numbers. A number the host has no device
// for is not attached: the guest gets the node as the spec gives it, dead as
// runc's would be on this host.
//
// Read-only or not is decided here, on the host: the spec's device cgroup
// rules (linux.resources.devices, applied in order, last match wins, as the
// cgroup v1 device controller does) give the device "w" or not, and the host
// opens it O_RDONLY when they do not. The VMM gets these fds, never a path
// to open itself (QEMU), so a guest cannot write a disk the host opened
// read-only. O_DIRECT: the VMM reads and writes the device bypassing the host's
// page cache (cache=none), so a write is on the device when the guest's
// flush returns.
//
// The guest finds each disk by its virtio serial ("chrunc-b<index>") and makes
// the spec's node (path, mode, uid, gid) on the guest disk's own major:minor;
// the spec's cgroup rules for the host numbers are rewritten to the guest's
// (agent/server/guest_block_devices.hpp).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"

namespace chrunc::runtime {

struct HostBlockDevice {
  std::string spec_path;            // linux.devices[i].path (the container's path)
  uint32_t major = 0, minor = 0;    // the host's numbers, as the spec gives them
  std::filesystem::path host_node;  // /dev/loop3
  bool read_only = false;
  std::string serial;  // the virtio serial the guest finds the disk by
  UniqueFd read_fd;    // O_RDONLY | O_DIRECT
  UniqueFd write_fd;   // O_RDWR | O_DIRECT; invalid when read_only
};

// The access ("r", "w", "m" subset, in that order) the rules give a device of
// `type` ('b' or 'c') major:minor. No rule matching leaves the cgroup
// default: everything allowed.
std::string device_cgroup_access(const std::vector<oci::DeviceCgroupRule>& rules, char type,
                                 int64_t major, int64_t minor);

// The host node of block device major:minor: /dev/<DEVNAME of
// <sys>/dev/block/M:m/uevent>, or an empty path when the host has no such
// device. Throws chrunc::Error when sysfs names a node that is missing or is
// not that block device.
std::filesystem::path find_host_block_node(uint32_t major, uint32_t minor,
                                           const std::filesystem::path& sys = "/sys",
                                           const std::filesystem::path& dev = "/dev");

// Every block device of the spec the host has, in spec order, opened.
// Throws chrunc::Error naming the device ("linux.devices /dev/xvdz (block
// 7:3): ...") when one cannot be opened.
std::vector<HostBlockDevice> open_host_block_devices(const oci::Spec& spec,
                                                     const std::filesystem::path& sys = "/sys",
                                                     const std::filesystem::path& dev = "/dev");

}  // namespace chrunc::runtime
