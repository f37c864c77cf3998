#pragma once
// What the spec's linux.devices become inside this VM, decided before the
// container is made.
//
// Block devices the host attached (runtime/host/host_block_devices.hpp) are
// virtio-blk disks here with the guest's own major:minor: each is found by
// its virtio serial (<sys>/block/<disk>/serial), and the spec is rewritten so
// that the device entries with the host's numbers, and the device cgroup
// rules naming them, name the guest disk's numbers. The container then sees
// the spec's path, mode, uid and gid on the same contents.
//
// Char devices: the guest kernel makes its own (null, zero, random, tty,
// fuse, tun, ...); one this kernel has no device for (<sys>/dev/char/M:m
// absent: a GPU, a serial adapter, anything that exists only on the host) is
// refused with one line naming it, instead of a node nothing can open.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::agent {

struct GuestDisk {
  std::string serial;
  uint32_t host_major = 0, host_minor = 0;
};

struct DeviceNumber {
  uint32_t major = 0, minor = 0;
};

// The guest major:minor of the disk with virtio serial `serial`; waits up to
// `wait` for it to appear. Throws chrunc::Error when it does not.
DeviceNumber find_guest_disk(const std::string& serial, const std::filesystem::path& sys,
                             std::chrono::milliseconds wait);

struct DeviceMove {
  DeviceNumber from;  // the host's
  DeviceNumber to;    // the guest disk's
};

// Rewrites linux.devices entries of type "b" with a move's `from` numbers to
// its `to`, and the device cgroup rules: an exact rule for `from` names `to`
// instead; a rule matching `from` by a wildcard (b 7:*) gets a copy for `to`
// right after it, so the disk has exactly the access the host device had.
// Each entry is moved at most once (a disk may get numbers another host
// device has).
void move_block_devices(oci::Spec& spec, const std::vector<DeviceMove>& moves);

// Throws chrunc::Error naming the first char device of linux.devices that
// this kernel does not have.
void refuse_host_only_char_devices(const oci::Spec& spec, const std::filesystem::path& sys);

// All of the above, for one CreateContainer.
void place_devices(oci::Spec& spec, const std::vector<GuestDisk>& disks,
                   const std::filesystem::path& sys = "/sys",
                   std::chrono::milliseconds wait = std::chrono::seconds(5));

}  // namespace chrunc::agent
